/* fuzz_tune.c - libFuzzer harness: the constraints of `kasim tune
 * --require` (ks_tune_parse: "detection_p95 <= 60s", "overhead <= 2B/s",
 * "false_giveup_rate <= 1%"), one per line, at most 8 lines.
 *
 * Besides memory safety, a parsed constraint must hold a finite number,
 * not negative (issue 23: NaN and infinities refused wherever a number is
 * read), and its text must be the line; a refusal is one line.  Built by
 * scripts/fuzz with ks_tune.c alone and fuzz/tune_stub.c for the sweep's
 * error domain. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ks_tune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = g_strndup((const char *)data, size);
  char **lines = g_strsplit(text, "\n", 9);
  for (guint i = 0; lines[i] && i < 8; i++) {
    GError *error = NULL;
    ks_tune_constraint *c = ks_tune_parse(lines[i], &error);
    if (c != NULL) {
      if (!isfinite(c->value) || c->value < 0 || (int)c->metric < 0 ||
          c->metric >= KS_TUNE_N_METRICS)
        __builtin_trap();
      ks_tune_constraint_free(c);
    } else {
      if (error == NULL || strchr(error->message, '\n') != NULL)
        __builtin_trap();
      g_error_free(error);
    }
  }
  g_strfreev(lines);
  g_free(text);
  return 0;
}
