/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A restricted unpickler for torch.save() files: it builds plain values
 * (ints, strings, tuples, lists, dicts, storages, tensors) and knows a short
 * table of globals; anything else is refused with SVD_ERROR_UNSAFE. It never
 * calls, imports or executes anything named in the file. */
#pragma once

#include <glib.h>

#include "model/svd-model.h"
#include "model/svd-state-dict.h"

G_BEGIN_DECLS

typedef enum {
  SVD_PV_NONE,
  SVD_PV_BOOL,
  SVD_PV_INT,
  SVD_PV_BIGINT,   /* an integer wider than 64 bits; raw little-endian bytes in str */
  SVD_PV_FLOAT,
  SVD_PV_STR,
  SVD_PV_BYTES,
  SVD_PV_TUPLE,
  SVD_PV_LIST,
  SVD_PV_DICT,     /* items: key, value, key, value… in insertion order */
  SVD_PV_GLOBAL,   /* one of the accepted globals; see svd-pickle.c */
  SVD_PV_STORAGE,  /* a persistent id resolved to a torch storage */
  SVD_PV_TENSOR,
} SvdPickleKind;

typedef struct _SvdPickleValue SvdPickleValue;
struct _SvdPickleValue {
  SvdPickleKind        kind;
  gint64               i;        /* BOOL, INT; GLOBAL: index into the table */
  double               f;
  char                *str;      /* STR (NUL-terminated), BYTES, BIGINT; STORAGE: key */
  gsize                len;
  GPtrArray           *items;    /* TUPLE, LIST, DICT (borrowed values) */
  /* STORAGE */
  SvdStoragePrecision  dtype;
  gint64               numel;
  /* TENSOR */
  SvdPickleValue      *storage;
  gint64               offset;
  int                  ndim;
  gint64               shape[SVD_TENSOR_MAX_DIMS];
  gint64               stride[SVD_TENSOR_MAX_DIMS];
};

/* Owns every value made while unpickling (values may be shared and even
 * form cycles, so they are freed together, never one by one). */
typedef struct _SvdPickle SvdPickle;

SvdPickle      *svd_pickle_new      (void);
void            svd_pickle_free     (SvdPickle     *self);
SvdPickleValue *svd_pickle_load     (SvdPickle     *self,
                                     const guint8  *data,
                                     gsize          len,
                                     gsize         *consumed,
                                     GError       **error);

/* Resolves a storage key to its bytes (little-endian elements). */
typedef gboolean (*SvdStorageResolver) (gpointer        user_data,
                                        const char     *key,
                                        const guint8  **data,
                                        gsize          *len,
                                        GError        **error);

/* Walks the unpickled root, unwraps and flattens it into tensors. */
SvdStateDict   *svd_pickle_to_state_dict (SvdPickleValue     *root,
                                          SvdModelFormat      format,
                                          SvdStateDictFlags   flags,
                                          SvdStorageResolver  resolve,
                                          gpointer            user_data,
                                          gsize               max_bytes,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdPickle, svd_pickle_free)

G_END_DECLS
