/* kasim.c - the command: one sub-command per job. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ks_cli.h"
#include "ks_plot.h"

int ks_cmd_tune(int argc, char **argv); /* ks_cmd_sweep.c */

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} commands[] = {
  {"profiles", ks_cmd_profiles, "the modelled systems and their keep-alive defaults"},
  {"explain", ks_cmd_explain, "the timeline of one idle connection whose peer vanishes"},
  {"run", ks_cmd_run, "simulate a scenario: summary.json, trace.jsonl, capture.pcap"},
  {"sweep", ks_cmd_sweep, "a scenario over a grid of settings and seeds: sweep.json, sweep.csv"},
  {"tune", ks_cmd_tune, "the settings of a grid that meet constraints, ranked; the Pareto front"},
  {"plot", ks_cmd_plot, "pictures of a run or sweep: timeline, latency CDF, heatmap, overhead"},
  {"report", ks_cmd_report, "one self-contained HTML page of a run or sweep, for a class"},
  {"capacity", ks_cmd_capacity, "what N idle connections cost and how fast they notice"},
  {"validate", ks_cmd_validate, "compare a scenario on the model with the real Linux kernel"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: kasim COMMAND [OPTIONS]\n       kasim help COMMAND\n       kasim "
               "--version\n\ncommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\n'kasim COMMAND --help' or 'kasim help COMMAND' describes a command's "
               "options.\n");
}

/* Runs command `name` with argv[0] its name; its usage line then reads
 * "kasim NAME [OPTION...]" (GLib takes the program's name from there). */
static int dispatch(const char *name, int argc, char **argv) {
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(name, commands[i].name) == 0) {
      g_autofree char *prg = g_strdup_printf("kasim %s", name);
      g_set_prgname(prg);
      int status = commands[i].run(argc, argv);
      /* cairo's and fontconfig's caches, so that leak checkers see only
       * kasim's own memory, whichever command drew. */
      ks_plot_shutdown();
      return status;
    }
  g_autofree char *shown = g_strescape(name, NULL);
  fprintf(stderr, "kasim: unknown command '%s' (try kasim --help)\n", shown);
  return KS_EXIT_USAGE;
}

int main(int argc, char **argv) {
  /* Numbers are printed with a '.' whatever the user's locale; text is
   * UTF-8 where the C library has it (GLib's help would print '?' for
   * '\u2026' in plain "C"). */
  if (setlocale(LC_ALL, "C.UTF-8") == NULL)
    setlocale(LC_ALL, "C");
  if (argc < 2) {
    usage(stderr);
    return KS_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      (strcmp(argv[1], "help") == 0 && argc == 2)) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
    printf("kasim %s\n", KASIM_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "help") == 0) {
    if (argc > 3) {
      g_autofree char *shown = g_strescape(argv[3], NULL);
      fprintf(stderr, "kasim help: unexpected argument '%s'\n", shown);
      return KS_EXIT_USAGE;
    }
    char *args[] = {argv[2], "--help", NULL};
    return dispatch(argv[2], 2, args);
  }
  return dispatch(argv[1], argc - 1, argv + 1);
}
