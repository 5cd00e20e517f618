/* ks_cmd_validate.c - `kasim validate --kernel SCENARIO...`: run each
 * scenario on the real Linux stack of this machine and on the model, and
 * compare (docs/validation.md).
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

/* One scenario: both runs and the comparison.  Returns the exit status
 * of docs/validation.md; *sig: the signal that interrupted the kernel run. */
static int validate_one(const char *path, char **sets, char **model_sets, int hz_given,
                        gboolean verbose, int *sig) {
  GError *error = NULL;
  int hz = hz_given;
  ks_scenario *sc = ks_scenario_load(path, sets, &error);
  g_autofree char **msets = concat(sets, model_sets);
  ks_scenario *msc = sc ? ks_scenario_load(path, msets, &error) : NULL;
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
    fprintf(stderr, "kasim validate: %s: not supported for validation: %s\n", path, why);
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

  int status = 0;
  ks_val_kernel_opts opts = {.verbose = verbose, .hz = hz};
  ks_val_run *krun = ks_validate_kernel(sc, &opts, sig, &error);
  ks_val_run *mrun = NULL;
  gboolean wheel = FALSE;
  if (krun == NULL) {
    if (error->code == KS_VALIDATE_ERROR_SKIPPED) {
      printf("skipped: %s\n", error->message);
      status = KS_EXIT_SKIPPED;
    } else {
      fprintf(stderr, "kasim validate: %s%s\n", error->message,
              *sig ? "; its namespaces are removed" : "");
      status = KS_EXIT_FAILED;
    }
    g_clear_error(&error);
    goto done;
  }
  /* Whatever the kernel run could not reproduce (a delay without netem),
   * the model does not get either. */
  for (guint i = 0; i < sc->links->len && i < msc->links->len; i++)
    ((ks_link_spec *)msc->links->pdata[i])->delay = ((const ks_link_spec *)sc->links->pdata[i])
                                                      ->delay;
  /* The model's timer wheel on the kernel's jiffies; where they could not
   * be read, exact timers and a tolerance for the wheel instead. */
  wheel = ks_validate_same_clock(msc, krun, hz);
  if (!wheel)
    for (guint i = 0; i < msc->hosts->len; i++)
      ka_params_set_value(((ks_host_spec *)msc->hosts->pdata[i])->params, "hz", 0, NULL);
  mrun = ks_validate_model(msc, &error);
  if (mrun == NULL) {
    fprintf(stderr, "kasim validate: the model: %s\n", error->message);
    g_clear_error(&error);
    status = KS_EXIT_USAGE;
    goto done;
  }
  for (guint i = 0; i < krun->notes->len; i++)
    printf("  note: %s\n", (const char *)krun->notes->pdata[i]);
  if (wheel)
    printf("  note: the model's timer wheel runs on the kernel's jiffies: HZ %d (%s), "
           "%" G_GUINT64_FORMAT " at time 0 (/proc/timer_list); tolerance one jiffy and 10 ms "
           "a timer; see docs/validation.md\n",
           hz, hz_source, krun->jiffies0);
  else if (hz > 0)
    printf("  note: tolerance from the timer wheel at HZ %d (%s; /proc/timer_list not read, "
           "the model's timers exact); see docs/validation.md\n",
           hz, hz_source);
  else
    printf("  note: CONFIG_HZ unknown (no /boot/config-* or /proc/config.gz): tolerance for the "
           "worst of HZ 100, 250, 300 and 1000; see docs/validation.md\n");
  if (model_sets != NULL)
    for (char **s = model_sets; *s; s++)
      printf("  note: the model alone also has %s\n", *s);
  GString *out = g_string_new(NULL);
  guint diffs = ks_validate_compare(msc, mrun, krun, hz, wheel, out);
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
  return status;
}

/* The worse of two statuses: bad input, then a failed run, then a
 * disagreement, then a skip, then agreement. */
static int worse(int a, int b) {
  static const int order[] = {0, KS_EXIT_SKIPPED, KS_EXIT_DISAGREE, KS_EXIT_FAILED, KS_EXIT_USAGE};
  int ra = 0, rb = 0;
  for (int i = 0; i < (int)G_N_ELEMENTS(order); i++) {
    if (order[i] == a)
      ra = i;
    if (order[i] == b)
      rb = i;
  }
  return ra >= rb ? a : b;
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
    {"hz", 0, 0, G_OPTION_ARG_INT, &hz, "The kernel's CONFIG_HZ (default: from its config)", "N"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
     "Print each set-up command and each captured packet on stderr", NULL},
    /* For the test that proves the comparison can fail: applied to the
     * model only. */
    {"model-set", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY, &model_sets, NULL, NULL},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(
    "--kernel SCENARIO... - compare the model with the real Linux stack");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
  g_option_context_free(ctx);
  if (ok && argc < 2)
    g_set_error_literal(&error, KS_CLI_ERROR, 0, "a scenario file is required"), ok = FALSE;
  if (ok && !kernel)
    g_set_error_literal(&error, KS_CLI_ERROR, 0,
                        "--kernel is required (the Linux kernel is the only reference so far)"),
      ok = FALSE;
  if (ok && hz != 0 && !(hz > 0 && ka_jiffies_hz_valid((uint32_t)hz)))
    g_set_error(&error, KS_CLI_ERROR, 0, "--hz %d: not a kernel HZ (100, 250, 300, 1000)", hz),
      ok = FALSE;
  if (!ok) {
    ks_cli_print_error("validate", error);
    g_error_free(error);
    return KS_EXIT_USAGE;
  }
  /* Each file in turn; the status says the worst of them. */
  int status = 0, sig = 0;
  for (int i = 1; i < argc && sig == 0; i++) {
    if (i > 1)
      printf("\n");
    status = worse(status, validate_one(argv[i], sets, model_sets, hz, verbose, &sig));
  }
  if (sig != 0) {
    /* Die of the signal, as the caller expects, now that all is clean. */
    signal(sig, SIG_DFL);
    raise(sig);
  }
  return status;
}
