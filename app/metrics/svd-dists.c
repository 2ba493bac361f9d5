/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-dists"

#include "svd-dists.h"
#include "svd-dists-private.h"
#include "svd-metrics.h"
#include "core/svd-error.h"
#include "model/svd-state-dict.h"

#include <math.h>
#include <string.h>

const int svd_dists_vgg16_conv_index[SVD_DISTS_N_CONVS] = {
  0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28
};
const int svd_dists_stage_channels[SVD_DISTS_N_STAGES] = { 3, 64, 128, 256, 512, 512 };

static const int vgg16_conv_in[SVD_DISTS_N_CONVS] = {
  3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512
};
static const int vgg16_conv_out[SVD_DISTS_N_CONVS] = {
  64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512
};
/* The last conv of each of the five VGG stages (index into the 13). */
const int svd_dists_stage_last_conv[SVD_DISTS_N_STAGES] = { -1, 1, 3, 6, 9, 12 };

/* torchvision's ImageNet normalisation, as float32 like the reference. */
static const float imagenet_mean[3] = { 0.485f, 0.456f, 0.406f };
static const float imagenet_std[3] = { 0.229f, 0.224f, 0.225f };

#define DISTS_C1 1e-6
#define DISTS_C2 1e-6

const char *
svd_dists_mode_name (SvdDistsMode mode)
{
  return mode == SVD_DISTS_SHORT256 ? "short256" : "full";
}

gboolean
svd_dists_mode_from_name (const char   *name,
                          SvdDistsMode *mode)
{
  if (g_strcmp0 (name, "full") == 0)
    *mode = SVD_DISTS_FULL;
  else if (g_strcmp0 (name, "short256") == 0)
    *mode = SVD_DISTS_SHORT256;
  else
    return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Finding the weights where users already have them                       */

static const char *
home_dir (void)
{
  /* g_get_home_dir() caches its answer; reading $HOME each time lets a
   * test (or an app that changes it) point the search elsewhere. */
  const char *home = g_getenv ("HOME");

  return home != NULL && *home != '\0' ? home : g_get_home_dir ();
}

/* Appends DIR/python3.X/SUFFIX for every python3.X entry of DIR. */
static void
add_python_dirs (GPtrArray  *dirs,
                 const char *dir,
                 const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "python3."))
      g_ptr_array_add (names, g_strdup (name));
  /* Newest Python first, the one a user most likely installed into. */
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = names->len; i > 0; i--)
    g_ptr_array_add (dirs, g_build_filename (dir, g_ptr_array_index (names, i - 1), suffix, NULL));
}

/* Python's module search path as far as packages go: PYTHONPATH, the
 * active virtualenv, the user site, then the system's. */
static GPtrArray *
python_site_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *pythonpath = g_getenv ("PYTHONPATH");
  const char *venv = g_getenv ("VIRTUAL_ENV");
  g_autofree char *user_lib = g_build_filename (home_dir (), ".local", "lib", NULL);

  if (pythonpath != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (pythonpath, G_SEARCHPATH_SEPARATOR_S, -1);

      for (int i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_ptr_array_add (dirs, g_strdup (parts[i]));
    }
  if (venv != NULL && *venv != '\0')
    {
      g_autofree char *lib = g_build_filename (venv, "lib", NULL);

      add_python_dirs (dirs, lib, "site-packages");
    }
  add_python_dirs (dirs, user_lib, "site-packages");
  add_python_dirs (dirs, "/usr/local/lib", "dist-packages");
  add_python_dirs (dirs, "/usr/local/lib", "site-packages");
  g_ptr_array_add (dirs, g_strdup ("/usr/lib/python3/dist-packages"));
  add_python_dirs (dirs, "/usr/lib", "site-packages");
  return dirs;
}

/* torch.hub's directory: $TORCH_HOME/hub, else $XDG_CACHE_HOME/torch/hub,
 * else ~/.cache/torch/hub. All that exist are searched, in that order. */
static GPtrArray *
torch_hub_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *torch_home = g_getenv ("TORCH_HOME");
  const char *xdg_cache = g_getenv ("XDG_CACHE_HOME");

  if (torch_home != NULL && *torch_home != '\0')
    g_ptr_array_add (dirs, g_build_filename (torch_home, "hub", NULL));
  if (xdg_cache != NULL && *xdg_cache != '\0')
    g_ptr_array_add (dirs, g_build_filename (xdg_cache, "torch", "hub", NULL));
  g_ptr_array_add (dirs, g_build_filename (home_dir (), ".cache", "torch", "hub", NULL));
  return dirs;
}

/* The first file in @dir named PREFIX*SUFFIX (sorted), or NULL. */
static char *
find_glob (const char *dir,
           const char *prefix,
           const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *best = NULL;
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && g_str_has_suffix (name, suffix) &&
        (best == NULL || strcmp (name, best) < 0))
      {
        g_free (best);
        best = g_strdup (name);
      }
  return best != NULL ? g_build_filename (dir, best, NULL) : NULL;
}

static gboolean
explicit_file (const char  *path,
               const char  *what,
               const char  *flag,
               const char  *env,
               char       **out,
               GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
                   "DISTS is unavailable: the %s file given with %s or %s, “%s”, does not exist "
                   "or is not a regular file",
                   what, flag, env, path);
      return FALSE;
    }
  *out = g_strdup (path);
  return TRUE;
}

static char *
find_dists_alpha_beta (GString *looked)
{
  g_autoptr(GPtrArray) sites = python_site_dirs ();
  g_autoptr(GPtrArray) hubs = torch_hub_dirs ();
  g_autofree char *old_pyiqa = g_build_filename (home_dir (), ".cache", "pyiqa", NULL);

  for (guint i = 0; i < sites->len; i++)
    {
      g_autofree char *p = g_build_filename (g_ptr_array_index (sites, i), "DISTS_pytorch", "weights.pt", NULL);

      g_string_append_printf (looked, "\n  %s", p);
      if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&p);
    }
  for (guint i = 0; i <= hubs->len; i++)
    {
      g_autofree char *dir = i < hubs->len ? g_build_filename (g_ptr_array_index (hubs, i), "pyiqa", NULL)
                                           : g_strdup (old_pyiqa);
      char *p = find_glob (dir, "DISTS_weights", ".pth");

      g_string_append_printf (looked, "\n  %s%cDISTS_weights-*.pth", dir, G_DIR_SEPARATOR);
      if (p != NULL)
        return p;
    }
  return NULL;
}

static char *
find_vgg16 (GString *looked)
{
  g_autoptr(GPtrArray) hubs = torch_hub_dirs ();

  for (guint i = 0; i < hubs->len; i++)
    {
      g_autofree char *p = g_build_filename (g_ptr_array_index (hubs, i), "checkpoints",
                                             SVD_VGG16_FILENAME, NULL);

      g_string_append_printf (looked, "\n  %s", p);
      if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&p);
    }
  return NULL;
}

/**
 * svd_dists_locate:
 * @settings: (nullable): explicit paths in `dists_weights` and
 *   `vgg16_weights` (from `--dists-weights`/`--vgg16-weights` or
 *   `SVD_DISTS_WEIGHTS`/`SVD_VGG16_WEIGHTS`) win
 * @dists_path: (out) (transfer full): the α/β file
 * @vgg16_path: (out) (transfer full): the VGG16 file
 * @error: return location for an error
 *
 * Finds the two files DISTS needs. Without an explicit path, α/β are
 * searched as DISTS_pytorch's `DISTS_pytorch/weights.pt` in every Python
 * package directory (`PYTHONPATH`, `$VIRTUAL_ENV`, `~/.local/lib/python3*
 * /site-packages`, `/usr/local/lib/python3*`, `/usr/lib/python3/
 * dist-packages`), then as pyiqa's `DISTS_weights-*.pth` under torch.hub's
 * `pyiqa` directory or `~/.cache/pyiqa`; VGG16 as torchvision's
 * `checkpoints/vgg16-397923af.pth` under `$TORCH_HOME/hub`,
 * `$XDG_CACHE_HOME/torch/hub` and `~/.cache/torch/hub`.
 *
 * Returns: %TRUE when both were found; otherwise %FALSE with
 *   %SVD_ERROR_UNAVAILABLE saying where it looked and where to put them
 */
gboolean
svd_dists_locate (const SvdSettings  *settings,
                  char              **dists_path,
                  char              **vgg16_path,
                  GError            **error)
{
  g_autoptr(GString) looked_ab = g_string_new (NULL);
  g_autoptr(GString) looked_vgg = g_string_new (NULL);
  g_autofree char *ab = NULL;
  g_autofree char *vgg = NULL;

  if (settings != NULL && settings->dists_weights != NULL)
    {
      if (!explicit_file (settings->dists_weights, "DISTS α/β weights", "--dists-weights",
                          "SVD_DISTS_WEIGHTS", &ab, error))
        return FALSE;
    }
  else
    ab = find_dists_alpha_beta (looked_ab);

  if (settings != NULL && settings->vgg16_weights != NULL)
    {
      if (!explicit_file (settings->vgg16_weights, "VGG16 weights", "--vgg16-weights",
                          "SVD_VGG16_WEIGHTS", &vgg, error))
        return FALSE;
    }
  else
    vgg = find_vgg16 (looked_vgg);

  if (ab == NULL || vgg == NULL)
    {
      g_autoptr(GString) msg = g_string_new ("DISTS is unavailable: ");

      if (vgg == NULL)
        g_string_append_printf (msg,
                                "torchvision's VGG16 weights (%s) were not found. Looked in:%s\n"
                                "Put the file in ~/.cache/torch/hub/checkpoints/ (where "
                                "torchvision.models.vgg16(weights=\"IMAGENET1K_V1\") downloads it), "
                                "or give its path with --vgg16-weights or SVD_VGG16_WEIGHTS.%s",
                                SVD_VGG16_FILENAME, looked_vgg->str, ab == NULL ? "\n" : "");
      if (ab == NULL)
        g_string_append_printf (msg,
                                "The DISTS α/β weights were not found. Looked in:%s\n"
                                "Install DISTS_pytorch (pip install --user DISTS_pytorch brings "
                                "DISTS_pytorch/weights.pt) or let pyiqa download DISTS_weights-*.pth, "
                                "or give the file with --dists-weights or SVD_DISTS_WEIGHTS.",
                                looked_ab->str);
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE, msg->str);
      return FALSE;
    }
  *dists_path = g_steal_pointer (&ab);
  *vgg16_path = g_steal_pointer (&vgg);
  return TRUE;
}

void
svd_dists_weights_free (SvdDistsWeights *self)
{
  if (self == NULL)
    return;
  if (self->vgg16_dict != NULL)
    svd_state_dict_unref (self->vgg16_dict);
  else
    for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
      {
        g_free (self->weight[i]);
        g_free (self->bias[i]);
      }
  g_free (self->vgg16_path);
  g_free (self->dists_path);
  g_free (self);
}

static const SvdTensor *
require_tensor (SvdStateDict  *dict,
                const char    *path,
                const char    *name,
                int            ndim,
                const gint64  *shape,
                GError       **error)
{
  g_autoptr(GError) local = NULL;
  const SvdTensor *t = svd_state_dict_require (dict, name, ndim, shape, &local);

  if (t == NULL)
    g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                 "“%s” is not a usable DISTS weights file: %s", path, local->message);
  return t;
}

/**
 * svd_dists_weights_load:
 * @dists_path: the DISTS α/β file (`alpha` and `beta`, 1x1475x1x1 each)
 * @vgg16_path: a VGG16 state dict with torchvision's `features.N.weight`
 *   and `features.N.bias` keys (other keys, such as the classifier, are
 *   ignored)
 * @error: return location for an error
 *
 * Loads and checks the weights; α and β are divided by their joint sum
 * here, once.
 *
 * Returns: (transfer full) (nullable): the weights
 */
SvdDistsWeights *
svd_dists_weights_load (const char  *dists_path,
                        const char  *vgg16_path,
                        GError     **error)
{
  g_autoptr(SvdDistsWeights) self = g_new0 (SvdDistsWeights, 1);
  g_autoptr(SvdStateDict) ab = NULL;
  g_autoptr(SvdStateDict) vgg = NULL;
  const gint64 ab_shape[4] = { 1, SVD_DISTS_N_CHANNELS, 1, 1 };
  const SvdTensor *alpha, *beta;
  double sum = 0.0;
  gsize conv_elements = 0, all_elements = 0;
  float *wp[SVD_DISTS_N_CONVS], *bp[SVD_DISTS_N_CONVS];
  gboolean keep;

  ab = svd_state_dict_load (dists_path, error);
  if (ab == NULL)
    return NULL;
  alpha = require_tensor (ab, dists_path, "alpha", 4, ab_shape, error);
  if (alpha == NULL)
    return NULL;
  beta = require_tensor (ab, dists_path, "beta", 4, ab_shape, error);
  if (beta == NULL)
    return NULL;
  for (int i = 0; i < SVD_DISTS_N_CHANNELS; i++)
    sum += (double) alpha->data[i] + (double) beta->data[i];
  if (!(sum > 0.0) || !isfinite (sum))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "“%s”: the DISTS α and β do not have a positive finite sum", dists_path);
      return NULL;
    }
  /* PyTorch divides in float32: alpha / w_sum with w_sum a float32 sum. */
  for (int i = 0; i < SVD_DISTS_N_CHANNELS; i++)
    {
      self->alpha[i] = alpha->data[i] / sum;
      self->beta[i] = beta->data[i] / sum;
    }

  vgg = svd_state_dict_load (vgg16_path, error);
  if (vgg == NULL)
    return NULL;
  for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
    {
      int n = svd_dists_vgg16_conv_index[i];
      g_autofree char *wname = g_strdup_printf ("features.%d.weight", n);
      g_autofree char *bname = g_strdup_printf ("features.%d.bias", n);
      const gint64 wshape[4] = { vgg16_conv_out[i], vgg16_conv_in[i], 3, 3 };
      const gint64 bshape[1] = { vgg16_conv_out[i] };
      const SvdTensor *w = require_tensor (vgg, vgg16_path, wname, 4, wshape, error);
      const SvdTensor *b;

      if (w == NULL)
        return NULL;
      b = require_tensor (vgg, vgg16_path, bname, 1, bshape, error);
      if (b == NULL)
        return NULL;
      self->conv_in[i] = vgg16_conv_in[i];
      self->conv_out[i] = vgg16_conv_out[i];
      /* Set in self only once all are found: self's free frees copies. */
      wp[i] = w->data;
      bp[i] = b->data;
      conv_elements += w->n_elements + b->n_elements;
    }
  for (guint i = 0; i < svd_state_dict_get_n_tensors (vgg); i++)
    all_elements += svd_state_dict_get_nth (vgg, i)->n_elements;
  keep = all_elements - conv_elements <= conv_elements / 8;
  for (int i = 0; i < SVD_DISTS_N_CONVS; i++)
    {
      self->weight[i] = keep ? wp[i] : g_memdup2 (wp[i], (gsize) self->conv_out[i] * self->conv_in[i] * 9 * sizeof (float));
      self->bias[i] = keep ? bp[i] : g_memdup2 (bp[i], (gsize) self->conv_out[i] * sizeof (float));
    }
  if (keep)
    self->vgg16_dict = g_steal_pointer (&vgg);
  self->dists_path = g_strdup (dists_path);
  self->vgg16_path = g_strdup (vgg16_path);
  return g_steal_pointer (&self);
}

/**
 * svd_dists_weights_find:
 * @settings: (nullable): settings with optional explicit paths
 * @error: return location for an error
 *
 * svd_dists_locate() then svd_dists_weights_load().
 *
 * Returns: (transfer full) (nullable): the weights, or %NULL with
 *   %SVD_ERROR_UNAVAILABLE when the files are not there
 */
SvdDistsWeights *
svd_dists_weights_find (const SvdSettings  *settings,
                        GError            **error)
{
  g_autofree char *ab = NULL;
  g_autofree char *vgg = NULL;

  if (!svd_dists_locate (settings, &ab, &vgg, error))
    return NULL;
  return svd_dists_weights_load (ab, vgg, error);
}

/* ---------------------------------------------------------------------- */
/* short256: antialiased bilinear resize                                    */

/**
 * svd_dists_short256_size:
 * @width: input width
 * @height: input height
 * @out_width: (out): output width
 * @out_height: (out): output height
 *
 * The official DISTS preprocessing size: the shorter side becomes 256 and
 * the longer one round(long · 256 / short) (Python's round, half to even);
 * an image whose shorter side is already ≤ 256 keeps its size.
 */
void
svd_dists_short256_size (int  width,
                         int  height,
                         int *out_width,
                         int *out_height)
{
  int s = SVD_DISTS_SHORT_SIDE;

  if (MIN (width, height) <= s)
    {
      *out_width = width;
      *out_height = height;
    }
  else if (width >= height)
    {
      *out_height = s;
      *out_width = (int) nearbyint ((double) width * s / height);
    }
  else
    {
      *out_width = s;
      *out_height = (int) nearbyint ((double) height * s / width);
    }
}

void
svd_dists_axis_clear (SvdDistsAxis *a)
{
  g_free (a->first);
  g_free (a->count);
  g_free (a->weights);
}

/* The triangle filter widened by the scale factor, exactly as the README
 * (and PIL's BILINEAR, torchvision's antialias=True) define it. */
void
svd_dists_axis_init (SvdDistsAxis *a,
                     int           in,
                     int           out)
{
  double scale = (double) in / out;
  double support = MAX (scale, 1.0);

  a->out = out;
  a->max_taps = (int) ceil (support) * 2 + 2;
  a->first = g_new (int, out);
  a->count = g_new (int, out);
  a->weights = g_new0 (double, (gsize) out * a->max_taps);
  for (int i = 0; i < out; i++)
    {
      double centre = scale * (i + 0.5);
      int j0 = MAX ((int) floor (centre - support + 0.5), 0);
      int j1 = MIN ((int) floor (centre + support + 0.5), in);
      double *w = a->weights + (gsize) i * a->max_taps;
      double sum = 0.0;

      a->first[i] = j0;
      a->count[i] = MIN (j1 - j0, a->max_taps);
      for (int k = 0; k < a->count[i]; k++)
        {
          w[k] = MAX (0.0, 1.0 - fabs ((j0 + k - centre + 0.5) / support));
          sum += w[k];
        }
      for (int k = 0; k < a->count[i] && sum > 0.0; k++)
        w[k] /= sum;
    }
}

/* Reads plane @c of an RGB_F32/RGB8/RGBA8 image as floats in [0, 1]
 * (8-bit codes become v / 255, as torchvision's ToTensor does). */
void
svd_dists_read_plane01 (const SvdImage *src,
                        int             c,
                        float          *out)
{
  int w = src->width;

  for (int y = 0; y < src->height; y++)
    {
      float *o = out + (gsize) y * w;

      if (src->format == SVD_PIXEL_FORMAT_RGB_F32)
        memcpy (o, src->data[c] + (gsize) y * src->stride[c], w * sizeof (float));
      else
        {
          const guint8 *p = src->data[0] + (gsize) y * src->stride[0];
          int step = src->format == SVD_PIXEL_FORMAT_RGBA8 ? 4 : 3;

          for (int x = 0; x < w; x++)
            o[x] = p[step * x + c] / 255.0f;
        }
    }
}

/**
 * svd_dists_resize_ref:
 * @src: an RGB_F32, RGB8 or RGBA8 image
 * @out_width: output width
 * @out_height: output height
 * @error: return location for an error
 *
 * Antialiased bilinear resize (horizontal pass, then vertical; float64
 * accumulation). The plain-C twin of `dists_resize_*` in opencl/dists.cl.
 *
 * Returns: (transfer full) (nullable): an RGB_F32 image in [0, 1]
 */
SvdImage *
svd_dists_resize_ref (const SvdImage  *src,
                      int              out_width,
                      int              out_height,
                      GError         **error)
{
  g_autoptr(SvdImage) dst = NULL;
  SvdDistsAxis ax, ay;
  int w = src->width, h = src->height;
  g_autofree float *plane = NULL;
  g_autofree double *tmp = NULL;

  if (src->format != SVD_PIXEL_FORMAT_RGB_F32 && src->format != SVD_PIXEL_FORMAT_RGB8 &&
      src->format != SVD_PIXEL_FORMAT_RGBA8)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "DISTS takes RGB images, not %s",
                   svd_pixel_format_get_info (src->format)->name);
      return NULL;
    }
  dst = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, out_width, out_height, error);
  if (dst == NULL)
    return NULL;
  plane = g_new (float, (gsize) w * h);
  tmp = g_new (double, (gsize) out_width * h);
  svd_dists_axis_init (&ax, w, out_width);
  svd_dists_axis_init (&ay, h, out_height);
  for (int c = 0; c < 3; c++)
    {
      svd_dists_read_plane01 (src, c, plane);
      for (int y = 0; y < h; y++)
        for (int i = 0; i < out_width; i++)
          {
            const double *wt = ax.weights + (gsize) i * ax.max_taps;
            const float *row = plane + (gsize) y * w + ax.first[i];
            double s = 0.0;

            for (int k = 0; k < ax.count[i]; k++)
              s += wt[k] * row[k];
            tmp[(gsize) y * out_width + i] = s;
          }
      for (int j = 0; j < out_height; j++)
        {
          const double *wt = ay.weights + (gsize) j * ay.max_taps;
          float *o = (float *) (dst->data[c] + (gsize) j * dst->stride[c]);

          for (int i = 0; i < out_width; i++)
            {
              double s = 0.0;

              for (int k = 0; k < ay.count[j]; k++)
                s += wt[k] * tmp[(gsize) (ay.first[j] + k) * out_width + i];
              o[i] = (float) s;
            }
        }
    }
  svd_dists_axis_clear (&ax);
  svd_dists_axis_clear (&ay);
  return g_steal_pointer (&dst);
}

/**
 * svd_dists_prepare_input:
 * @src: an RGB_F32, RGB8 or RGBA8 image
 * @mode: full or short256
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the RGB_F32 [0, 1] image DISTS
 *   runs on: @src as floats, resized for short256 when it is larger
 */
SvdImage *
svd_dists_prepare_input (const SvdImage  *src,
                         SvdDistsMode     mode,
                         GError         **error)
{
  int ow = src->width, oh = src->height;
  g_autoptr(SvdImage) dst = NULL;
  g_autofree float *plane = NULL;

  if (mode == SVD_DISTS_SHORT256)
    svd_dists_short256_size (src->width, src->height, &ow, &oh);
  if (ow != src->width || oh != src->height)
    return svd_dists_resize_ref (src, ow, oh, error);
  if (src->format != SVD_PIXEL_FORMAT_RGB_F32 && src->format != SVD_PIXEL_FORMAT_RGB8 &&
      src->format != SVD_PIXEL_FORMAT_RGBA8)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "DISTS takes RGB images, not %s",
                   svd_pixel_format_get_info (src->format)->name);
      return NULL;
    }
  dst = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, ow, oh, error);
  if (dst == NULL)
    return NULL;
  plane = g_new (float, (gsize) ow * oh);
  for (int c = 0; c < 3; c++)
    {
      svd_dists_read_plane01 (src, c, plane);
      for (int y = 0; y < oh; y++)
        memcpy (dst->data[c] + (gsize) y * dst->stride[c], plane + (gsize) y * ow, ow * sizeof (float));
    }
  return g_steal_pointer (&dst);
}

/* ---------------------------------------------------------------------- */
/* VGG16 + L2 pooling, CPU reference                                        */

typedef float v16f __attribute__ ((vector_size (64)));

#define CONV_OB SVD_DISTS_CONV_OB
#define CONV_XT SVD_DISTS_CONV_XT

typedef struct {
  const float *in;
  int          c_in;
  float       *out;
  int          c_out;
  int          width;
  int          height;
  int          pitch;
  const float *packed;   /* [c_out / 16][c_in][3][3][16] */
  const float *bias;
} ConvJob;

/* One output row of one block of 16 output channels. Compiled for
 * AVX-512, AVX2 and plain x86-64, picked at run time, because the build
 * has no -march: this loop is where DISTS spends its time. */
__attribute__ ((target_clones ("avx512f", "arch=haswell", "default")))
static void
conv_row_block (const ConvJob *job,
                int            ob,
                int            y)
{
  gsize plane = (gsize) (job->height + 2) * job->pitch;
  const float *wb = job->packed + (gsize) ob * job->c_in * 9 * CONV_OB;

  for (int x0 = 0; x0 < job->width; x0 += CONV_XT)
    {
      v16f acc[CONV_OB];

      for (int o = 0; o < CONV_OB; o++)
        acc[o] = (v16f) { 0 } + job->bias[ob * CONV_OB + o];
      for (int i = 0; i < job->c_in; i++)
        {
          const float *w9 = wb + (gsize) i * 9 * CONV_OB;

          for (int ky = 0; ky < 3; ky++)
            {
              const float *r = job->in + i * plane + (gsize) (y + ky) * job->pitch + x0;
              v16f a, b, c;
              const float *wk = w9 + ky * 3 * CONV_OB;

              /* Unaligned loads of the three shifted rows. */
              memcpy (&a, r, sizeof a);
              memcpy (&b, r + 1, sizeof b);
              memcpy (&c, r + 2, sizeof c);
              /* Three separate updates contract to three FMAs. */
              for (int o = 0; o < CONV_OB; o++)
                {
                  acc[o] += a * wk[o];
                  acc[o] += b * wk[CONV_OB + o];
                  acc[o] += c * wk[2 * CONV_OB + o];
                }
            }
        }
      for (int o = 0; o < CONV_OB; o++)
        {
          float *dst = job->out + (gsize) (ob * CONV_OB + o) * plane + (gsize) (y + 1) * job->pitch + 1 + x0;
          float tmp[CONV_XT];
          int n = MIN (CONV_XT, job->width - x0);
          v16f v = acc[o];

          memcpy (tmp, &v, sizeof tmp);
          for (int k = 0; k < n; k++)
            dst[k] = tmp[k] > 0.0f ? tmp[k] : 0.0f;
        }
    }
}

static void
conv_items (int      begin,
            int      end,
            gpointer data)
{
  const ConvJob *job = data;

  for (int item = begin; item < end; item++)
    conv_row_block (job, item / job->height, item % job->height);
}

/**
 * svd_dists_conv3x3_relu_ref:
 * @in: @c_in padded planes (see svd-dists.h)
 * @c_in: input channels
 * @out: @c_out padded planes, zero-initialised (its border stays zero)
 * @c_out: output channels, a multiple of 16
 * @width: width
 * @height: height
 * @pitch: row pitch of @in and @out in floats, ≥ round_up(@width, 16) + 2
 * @weight: OIHW weights
 * @bias: biases
 * @threads: CPU threads (0: one per core)
 *
 * 3x3 convolution, padding 1, then ReLU. Blocks of 16 output channels x 16
 * pixels are accumulated in vector registers.
 */
void
svd_dists_conv3x3_relu_ref (const float *in,
                            int          c_in,
                            float       *out,
                            int          c_out,
                            int          width,
                            int          height,
                            int          pitch,
                            const float *weight,
                            const float *bias,
                            int          threads)
{
  g_autofree float *packed = NULL;
  ConvJob job;

  g_return_if_fail (c_out % CONV_OB == 0);
  g_return_if_fail (pitch >= (width + CONV_XT - 1) / CONV_XT * CONV_XT + 2);

  packed = svd_dists_pack_weights (weight, c_in, c_out);
  job = (ConvJob) { in, c_in, out, c_out, width, height, pitch, packed, bias };
  svd_metrics_parallel_for ((c_out / CONV_OB) * height, threads, MAX (1, 2048 / MAX (width, 1)),
                            conv_items, &job);
}

/**
 * svd_dists_l2pool_ref:
 * @in: padded planes
 * @channels: channels
 * @width: input width
 * @height: input height
 * @pitch: input pitch
 * @out: zero-initialised padded output planes
 * @out_width: (@width − 1) / 2 + 1
 * @out_height: (@height − 1) / 2 + 1
 * @out_pitch: output pitch
 *
 * DISTS' L2 pooling: sqrt(Σ g · x² + 1e-12) with g = [0.5, 1, 0.5]² / 4,
 * stride 2, zero padding 1.
 */
void
svd_dists_l2pool_ref (const float *in,
                      int          channels,
                      int          width,
                      int          height,
                      int          pitch,
                      float       *out,
                      int          out_width,
                      int          out_height,
                      int          out_pitch)
{
  static const float g[3] = { 0.5f, 1.0f, 0.5f };
  gsize in_plane = (gsize) (height + 2) * pitch;
  gsize out_plane = (gsize) (out_height + 2) * out_pitch;

  for (int c = 0; c < channels; c++)
    for (int y = 0; y < out_height; y++)
      for (int x = 0; x < out_width; x++)
        {
          float s = 0.0f;

          for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
              {
                float v = in[c * in_plane + (gsize) (2 * y + ky) * pitch + 2 * x + kx];

                s += (g[ky] * g[kx] * 0.25f) * (v * v);
              }
          out[c * out_plane + (gsize) (y + 1) * out_pitch + x + 1] = sqrtf (s + 1e-12f);
        }
}

/**
 * svd_dists_channel_stats_ref:
 * @x: padded planes of the reference's features
 * @y: the distorted image's
 * @channels: channels
 * @width: width
 * @height: height
 * @pitch: pitch
 * @stats: (out): per channel μx, μy, σx², σy², σxy (population), 5 doubles
 *
 * Two-pass float64 statistics, so no cancellation creeps in.
 */
void
svd_dists_channel_stats_ref (const float *x,
                             const float *y,
                             int          channels,
                             int          width,
                             int          height,
                             int          pitch,
                             double      *stats)
{
  gsize plane = (gsize) (height + 2) * pitch;
  double n = (double) width * height;

  for (int c = 0; c < channels; c++)
    {
      const float *px = x + c * plane, *py = y + c * plane;
      double sx = 0, sy = 0, vx = 0, vy = 0, cxy = 0, mx, my;

      for (int j = 1; j <= height; j++)
        for (int i = 1; i <= width; i++)
          {
            sx += px[(gsize) j * pitch + i];
            sy += py[(gsize) j * pitch + i];
          }
      mx = sx / n;
      my = sy / n;
      for (int j = 1; j <= height; j++)
        for (int i = 1; i <= width; i++)
          {
            double dx = px[(gsize) j * pitch + i] - mx, dy = py[(gsize) j * pitch + i] - my;

            vx += dx * dx;
            vy += dy * dy;
            cxy += dx * dy;
          }
      stats[5 * c + 0] = mx;
      stats[5 * c + 1] = my;
      stats[5 * c + 2] = vx / n;
      stats[5 * c + 3] = vy / n;
      stats[5 * c + 4] = cxy / n;
    }
}

/**
 * svd_dists_score_from_stats:
 * @weights: the weights (for α, β)
 * @stats: 5 x 1475 statistics in feature order
 *
 * Returns: 1 − Σ (α S1 + β S2)
 */
double
svd_dists_score_from_stats (const SvdDistsWeights *weights,
                            const double          *stats)
{
  double sum = 0.0;

  for (int k = 0; k < SVD_DISTS_N_CHANNELS; k++)
    {
      const double *s = stats + 5 * k;
      double s1 = (2.0 * s[0] * s[1] + DISTS_C1) / (s[0] * s[0] + s[1] * s[1] + DISTS_C1);
      double s2 = (2.0 * s[4] + DISTS_C2) / (s[2] + s[3] + DISTS_C2);

      sum += weights->alpha[k] * s1 + weights->beta[k] * s2;
    }
  return 1.0 - sum;
}

/**
 * svd_dists_pack_weights:
 * @weight: OIHW 3x3 weights
 * @c_in: input channels
 * @c_out: output channels, a multiple of 16
 *
 * Returns: (transfer full): the weights as [c_out / 16][c_in][3][3][16], so
 *   the 16 weights one tap needs are adjacent
 */
float *
svd_dists_pack_weights (const float *weight,
                        int          c_in,
                        int          c_out)
{
  float *packed = g_new (float, (gsize) c_out * c_in * 9);

  for (int o = 0; o < c_out; o++)
    for (int i = 0; i < c_in; i++)
      for (int k = 0; k < 9; k++)
        packed[(((gsize) (o / CONV_OB) * c_in + i) * 9 + k) * CONV_OB + o % CONV_OB] =
          weight[((gsize) o * c_in + i) * 9 + k];
  return packed;
}

int
svd_dists_pitch (int width)
{
  return (width + CONV_XT - 1) / CONV_XT * CONV_XT + 2;
}

static float *
alloc_planes (int      channels,
              int      height,
              int      pitch,
              GError **error)
{
  float *p = g_try_malloc0 ((gsize) channels * (height + 2) * pitch * sizeof (float));

  if (p == NULL)
    g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                 "Out of memory for %d DISTS feature maps of %d rows", channels, height);
  return p;
}

/* Fills padded planes with @img (raw) and its ImageNet-normalised copy. */
static void
fill_input (const SvdImage *img,
            int             pitch,
            float          *raw,
            float          *norm)
{
  gsize plane = (gsize) (img->height + 2) * pitch;

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < img->height; y++)
      {
        const float *s = (const float *) (img->data[c] + (gsize) y * img->stride[c]);
        gsize o = c * plane + (gsize) (y + 1) * pitch + 1;

        for (int x = 0; x < img->width; x++)
          {
            raw[o + x] = s[x];
            norm[o + x] = (s[x] - imagenet_mean[c]) / imagenet_std[c];
          }
      }
}

/**
 * svd_dists_compute_ref:
 * @weights: loaded weights
 * @ref: reference image (RGB_F32 in [0, 1], RGB8 or RGBA8)
 * @dist: distorted image of the same size
 * @mode: full or short256
 * @threads: CPU threads (0: one per core)
 * @score: (out): the DISTS score
 * @error: return location for an error
 *
 * The CPU reference of DISTS. Slow on big frames (VGG16 at 720p is about
 * 0.3 TMAC per image); the OpenCL path is the one for video.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_dists_compute_ref (const SvdDistsWeights *weights,
                       const SvdImage        *ref,
                       const SvdImage        *dist,
                       SvdDistsMode           mode,
                       int                    threads,
                       double                *score,
                       GError               **error)
{
  g_autoptr(SvdImage) a = NULL;
  g_autoptr(SvdImage) b = NULL;
  g_autofree double *stats = g_new (double, 5 * SVD_DISTS_N_CHANNELS);
  float *feat[2] = { NULL, NULL };
  int w, h, pitch, ch = 3, conv = 0, stat_off = 0;
  gboolean ok = FALSE;

  if (!svd_metrics_check_pair (ref, dist, error))
    return FALSE;
  a = svd_dists_prepare_input (ref, mode, error);
  if (a == NULL)
    return FALSE;
  b = svd_dists_prepare_input (dist, mode, error);
  if (b == NULL)
    return FALSE;

  w = a->width;
  h = a->height;
  pitch = svd_dists_pitch (w);
  {
    g_autofree float *raw_a = alloc_planes (3, h, pitch, error);
    g_autofree float *raw_b = raw_a != NULL ? alloc_planes (3, h, pitch, error) : NULL;

    if (raw_b == NULL)
      return FALSE;
    feat[0] = alloc_planes (3, h, pitch, error);
    feat[1] = feat[0] != NULL ? alloc_planes (3, h, pitch, error) : NULL;
    if (feat[1] == NULL)
      goto out;
    fill_input (a, pitch, raw_a, feat[0]);
    fill_input (b, pitch, raw_b, feat[1]);
    svd_dists_channel_stats_ref (raw_a, raw_b, 3, w, h, pitch, stats);
    stat_off = 3;
  }

  for (int stage = 1; stage < SVD_DISTS_N_STAGES; stage++)
    {
      if (stage > 1)
        {
          int ow = (w - 1) / 2 + 1, oh = (h - 1) / 2 + 1, op = svd_dists_pitch (ow);

          for (int s = 0; s < 2; s++)
            {
              float *pooled = alloc_planes (ch, oh, op, error);

              if (pooled == NULL)
                goto out;
              svd_dists_l2pool_ref (feat[s], ch, w, h, pitch, pooled, ow, oh, op);
              g_free (feat[s]);
              feat[s] = pooled;
            }
          w = ow;
          h = oh;
          pitch = op;
        }
      for (; conv <= svd_dists_stage_last_conv[stage]; conv++)
        {
          int co = weights->conv_out[conv];

          for (int s = 0; s < 2; s++)
            {
              float *next = alloc_planes (co, h, pitch, error);

              if (next == NULL)
                goto out;
              svd_dists_conv3x3_relu_ref (feat[s], ch, next, co, w, h, pitch,
                                          weights->weight[conv], weights->bias[conv], threads);
              g_free (feat[s]);
              feat[s] = next;
            }
          ch = co;
        }
      svd_dists_channel_stats_ref (feat[0], feat[1], ch, w, h, pitch, stats + 5 * stat_off);
      stat_off += ch;
    }
  g_assert (stat_off == SVD_DISTS_N_CHANNELS);
  *score = svd_dists_score_from_stats (weights, stats);
  ok = TRUE;

out:
  g_free (feat[0]);
  g_free (feat[1]);
  return ok;
}
