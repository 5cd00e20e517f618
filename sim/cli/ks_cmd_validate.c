/* ks_cmd_validate.c - `kasim validate --kernel SCENARIO`: run the scenario
 * on the real Linux stack of this machine and on the model, and compare
 * (docs/validation.md).
 *
 * Exit status: 0 they agree, 1 they disagree, 2 bad input or a scenario
 * that cannot be validated, 3 the kernel run could not be carried out,
 * 77 skipped because network namespaces are not permitted here (the
 * "skipped" status of automake and meson test harnesses). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ks_cli.h"
#include "ks_scenario.h"
#include "ks_validate.h"

#define KS_EXIT_DISAGREE 1
#define KS_EXIT_FAILED 3
#define KS_EXIT_SKIPPED 77

static char **concat(char **a, char **b) {
  GPtrArray *all = g_ptr_array_new();
  for (; a && *a; a++)
    g_ptr_array_add(all, *a);
  for (; b && *b; b++)
    g_ptr_array_add(all, *b);
  g_ptr_array_add(all, NULL);
  return (char **)g_ptr_array_free(all, FALSE); /* strings borrowed */
}

int ks_cmd_validate(int argc, char **argv) {
  gboolean kernel = FALSE, verbose = FALSE;
  g_auto(GStrv) sets = NULL, model_sets = NULL;
  int hz = 0;
  GOptionEntry entries[] = {
    {"kernel", 'k', 0, G_OPTION_ARG_NONE, &kernel,
     "Compare with the Linux kernel of this machine (needs root)", NULL},
    {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
     "A sysctl or socket option for every host or group, on both sides", "NAME=VALUE"},
    {"hz", 0, 0, G_OPTION_ARG_INT, &hz,
     "The kernel's CONFIG_HZ, for the tolerance (default: from its config)", "N"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
     "Print each set-up command and each captured packet on stderr", NULL},
    /* For the test that proves the comparison can fail: applied to the
     * model only. */
    {"model-set", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY, &model_sets, NULL, NULL},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx =
      g_option_context_new("--kernel SCENARIO - compare the model with the real Linux stack");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  if (ok && argc != 2)
    g_set_error(&error, KS_CLI_ERROR, 0, argc < 2 ? "a scenario file is required"
                                                  : "unexpected argument '%s'", argv[2]),
        ok = FALSE;
  if (ok && !kernel)
    g_set_error_literal(&error, KS_CLI_ERROR, 0,
                        "--kernel is required (the Linux kernel is the only reference so far)"),
        ok = FALSE;
  if (ok && (hz < 0 || hz > 10000))
    g_set_error(&error, KS_CLI_ERROR, 0, "--hz %d: not a kernel HZ", hz), ok = FALSE;
  ks_scenario *sc = ok ? ks_scenario_load(argv[1], sets, &error) : NULL;
  g_autofree char **msets = concat(sets, model_sets);
  ks_scenario *msc = sc ? ks_scenario_load(argv[1], msets, &error) : NULL;
  if (msc == NULL) {
    ks_cli_print_error("validate", error);
    g_error_free(error);
    if (sc)
      ks_scenario_free(sc);
    return KS_EXIT_USAGE;
  }
  g_autofree char *why = ks_validate_unsupported(sc);
  if (why == NULL)
    why = ks_validate_unsupported(msc);
  if (why != NULL) {
    fprintf(stderr, "kasim validate: not supported for validation: %s\n", why);
    ks_scenario_free(sc);
    ks_scenario_free(msc);
    return KS_EXIT_USAGE;
  }
  g_autofree char *hz_source = NULL;
  if (hz == 0)
    hz = ks_validate_kernel_hz(&hz_source);
  else
    hz_source = g_strdup("--hz");
  guint32 n = 0;
  for (guint i = 0; i < sc->groups->len; i++)
    n += ((const ks_group_spec *)sc->groups->pdata[i])->count;
  printf("kasim validate: %s, %u connection%s, %.1f s of wall time on the kernel\n", sc->name, n,
         n == 1 ? "" : "s", (double)sc->duration / KA_NS_PER_S);
  fflush(stdout);

  int status = 0, sig = 0;
  ks_val_kernel_opts opts = {.verbose = verbose};
  ks_val_run *krun = ks_validate_kernel(sc, &opts, &sig, &error);
  ks_val_run *mrun = NULL;
  if (krun == NULL) {
    if (error->code == KS_VALIDATE_ERROR_SKIPPED) {
      printf("skipped: %s\n", error->message);
      status = KS_EXIT_SKIPPED;
    } else {
      fprintf(stderr, "kasim validate: %s%s\n", error->message,
              sig ? "; its namespaces are removed" : "");
      status = KS_EXIT_FAILED;
    }
    g_clear_error(&error);
    goto done;
  }
  /* Whatever the kernel run could not reproduce (a delay without netem),
   * the model does not get either. */
  for (guint i = 0; i < sc->links->len && i < msc->links->len; i++)
    ((ks_link_spec *)msc->links->pdata[i])->delay =
        ((const ks_link_spec *)sc->links->pdata[i])->delay;
  mrun = ks_validate_model(msc, &error);
  if (mrun == NULL) {
    fprintf(stderr, "kasim validate: the model: %s\n", error->message);
    g_clear_error(&error);
    status = KS_EXIT_USAGE;
    goto done;
  }
  for (guint i = 0; i < krun->notes->len; i++)
    printf("  note: %s\n", (const char *)krun->notes->pdata[i]);
  if (hz > 0)
    printf("  note: tolerance from the timer wheel at HZ %d (%s); see docs/validation.md\n", hz,
           hz_source);
  else
    printf("  note: CONFIG_HZ unknown (no /boot/config-* or /proc/config.gz): tolerance for the "
           "worst of HZ 100, 250, 300 and 1000; see docs/validation.md\n");
  if (model_sets != NULL)
    for (char **s = model_sets; *s; s++)
      printf("  note: the model alone also has %s\n", *s);
  GString *out = g_string_new(NULL);
  guint diffs = ks_validate_compare(msc, mrun, krun, hz, out);
  fputs(out->str, stdout);
  g_string_free(out, TRUE);
  if (diffs == 0) {
    printf("verdict: agree\n");
  } else {
    printf("verdict: DISAGREE (%u difference%s)\n", diffs, diffs == 1 ? "" : "s");
    status = KS_EXIT_DISAGREE;
  }
done:
  ks_val_run_free(krun);
  ks_val_run_free(mrun);
  ks_scenario_free(sc);
  ks_scenario_free(msc);
  fflush(stdout);
  if (sig != 0) {
    /* Die of the signal, as the caller expects, now that all is clean. */
    signal(sig, SIG_DFL);
    raise(sig);
  }
  return status;
}
