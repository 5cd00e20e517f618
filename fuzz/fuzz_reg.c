/* fuzz_reg.c - libFuzzer harness: the .reg loader (ka_reg_apply) on any
 * bytes, for the profile the first byte picks among every modelled
 * system (the Windows ones parse; the others must refuse without reading).
 * The contract checked besides memory safety: on error the parameters
 * are unchanged and no note is added; on success every note is one line. */
#include <stdint.h>
#include <string.h>

#include <kasim/ka.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const profiles[] = {"windows-2000",  "windows-xp",      "windows-2003",
                                       "windows-vista", "windows-10-1703", "windows-10-1709",
                                       "linux",         "freebsd",         "macos"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const ka_profile *p = ka_profile_find(profiles[data[0] % G_N_ELEMENTS(profiles)]);
  if (p == NULL)
    return 0;
  ka_params *params = ka_params_new(p);
  ka_params *before = ka_params_copy(params);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  GError *error = NULL;
  if (ka_reg_apply(params, "fuzz.reg", data + 1, size - 1, notes, &error)) {
    for (guint i = 0; i < notes->len; i++)
      if (strchr(notes->pdata[i], '\n') != NULL)
        __builtin_trap();
  } else {
    if (error == NULL || notes->len != 0)
      __builtin_trap();
    size_t n;
    const ka_param_info *t = ka_params_table(p, &n);
    for (size_t k = 0; k < n; k++) {
      uint64_t a = 0, b = 0;
      bool ha = ka_params_get(params, t[k].name, &a), hb = ka_params_get(before, t[k].name, &b);
      if (ha != hb || a != b)
        __builtin_trap(); /* a failed file changed the parameters */
    }
    g_error_free(error);
  }
  g_ptr_array_unref(notes);
  ka_params_free(before);
  ka_params_free(params);
  return 0;
}
