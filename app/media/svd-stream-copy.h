/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Copying the source's audio and subtitles next to the encoded video, as
 * the writer (svd-writer.c) and the chunk join (svd-chunk-join.c) both do:
 * adding a copied stream to the output, and pulling the next packet to
 * copy and writing it. Private to libsvd. */

#include "media/svd-media-compat.h"

G_BEGIN_DECLS

gboolean  svd_stream_copy_open  (AVFormatContext **copy_in,
                                 const char       *source,
                                 gboolean          allow_playlists,
                                 GError          **error);
gboolean  svd_stream_copy_add   (AVFormatContext  *oc,
                                 AVStream         *in,
                                 unsigned          index,
                                 const char       *source,
                                 int              *out_index,
                                 GError          **error);
AVPacket *svd_stream_copy_peek  (AVFormatContext  *copy_in,
                                 const int        *copy_map,
                                 AVPacket         *pkt,
                                 gboolean         *pending,
                                 gboolean         *eof);
gint64    svd_stream_copy_time_us (AVFormatContext *copy_in,
                                   const AVPacket  *pkt);
gboolean  svd_stream_copy_write (AVFormatContext  *oc,
                                 AVStream         *in,
                                 AVStream         *out,
                                 AVPacket         *pkt,
                                 const char       *output,
                                 GError          **error);

G_END_DECLS
