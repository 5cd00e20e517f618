/* kasim.c - the command: one sub-command per job. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ks_cli.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} commands[] = {
  {"profiles", ks_cmd_profiles, "the modelled systems and their keep-alive defaults"},
  {"explain", ks_cmd_explain, "the timeline of one idle connection whose peer vanishes"},
  {"run", ks_cmd_run, "simulate a scenario: summary.json, trace.jsonl, capture.pcap"},
  {"sweep", ks_cmd_sweep, "a scenario over a grid of settings and seeds: sweep.json, sweep.csv"},
  {"plot", ks_cmd_plot, "pictures of a run or sweep: timeline, latency CDF, heatmap, overhead"},
  {"capacity", ks_cmd_capacity, "what N idle connections cost and how fast they notice"},
  {"validate", ks_cmd_validate, "compare a scenario on the model with the real Linux kernel"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: kasim COMMAND [OPTIONS]\n\ncommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\n'kasim COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv) {
  /* Numbers are printed with a '.' whatever the user's locale. */
  setlocale(LC_ALL, "C");
  if (argc < 2) {
    usage(stderr);
    return KS_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "kasim: unknown command '%s' (try kasim --help)\n", argv[1]);
  return KS_EXIT_USAGE;
}
