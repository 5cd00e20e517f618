/* ks_runner.h - one simulation run written to a folder: what `kasim run`
 * does after reading its command line, and what `kasim sweep` does for each
 * cell, on either engine (ks_backend.h), so all of them write exactly the
 * same files (docs/output.md).
 *
 * trace.jsonl, connections.csv, capture.pcap (when asked) and summary.json
 * are written in a staging folder beside the out folder and replace the
 * earlier run's files all at once when the run is complete (ks_outdir.h),
 * or, where that cannot be done, are renamed into place one by one,
 * summary.json last: its presence means the run finished.
 */
#ifndef KASIM_KS_RUNNER_H
#define KASIM_KS_RUNNER_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <kasim/ka.h>

#include "ks_backend.h"
#include "ks_scenario.h"
#include "ks_shard.h"

#define KS_RUNNER_ERROR (ks_runner_error_quark())
GQuark ks_runner_error_quark(void);

/* Why a run did not complete; `kasim run` exits with 2 for the first two,
 * 3 for the last two (docs/limits.md, "Exit status"). */
typedef enum ks_runner_error {
  KS_RUNNER_ERROR_REFUSED, /* the engine cannot run this scenario (its check) */
  KS_RUNNER_ERROR_OUT,     /* the output folder: a file, read-only, not creatable */
  KS_RUNNER_ERROR_SYSTEM,  /* the machine: memory for the world, a full disk, I/O */
  KS_RUNNER_ERROR_PEER     /* another process of a run over several failed (its own
                              message says why) */
} ks_runner_error;

/* How much of the trace trace.jsonl holds (docs/output.md, "Trace
 * levels").  AUTO, the default (0), is ALL up to KS_RUNNER_FULL_MAX
 * connections and FAILURES above. */
typedef enum ks_trace_level {
  KS_TRACE_LEVEL_AUTO,
  KS_TRACE_LEVEL_ALL,      /* every event */
  KS_TRACE_LEVEL_NONE,     /* no trace.jsonl at all */
  KS_TRACE_LEVEL_FAILURES, /* scenario events, and each connection's events from its
                              first lost segment, RST, retransmission or close on */
  KS_TRACE_LEVEL_CONNS     /* scenario events and the listed connections' events */
} ks_trace_level;

/* Up to this many connections a run is small: the default traces every
 * event and summary.json lists every connection; above, the default
 * traces failures only and summary.json holds aggregates per group
 * (connections.csv always has every connection). */
#define KS_RUNNER_FULL_MAX 10000

/* The level's name as --trace takes it ("all", "none", "failures",
 * "conn=LIST" is "conn"). */
const char *ks_trace_level_name(ks_trace_level l);

/* What a run left out of its files, for the command's report. */
typedef struct ks_runner_stats {
  ks_trace_level level;           /* as used: never AUTO */
  gboolean level_defaulted;       /* chosen by the default, not asked for */
  guint64 events, events_written; /* trace events in all, and in trace.jsonl */
  gboolean conns_in_summary;      /* summary.json lists every connection */
  guint64 engine_events;          /* summary.json's `events`: the engine's dispatches */
} ks_runner_stats;

/* One sentence saying what the files left out and how to get it; NULL
 * when nothing was (g_free it). */
char *ks_runner_left_out(const ks_runner_stats *st);

typedef struct ks_runner_opts {
  const ks_backend *backend; /* the engine (sim/cli's registry finds it by name) */
  gboolean pcap;             /* also write capture.pcap */
  double pace;               /* virtual seconds per real second; 0: as fast as possible */
  /* Called by the engine as virtual time passes (NULL: nothing; also
   * nothing when the engine cannot tell). */
  void (*progress)(ka_time now, ka_time end, void *ud);
  void *progress_ud;
  /* A paced run (pace > 0) is a live one: trace.jsonl is flushed line by
   * line, so that it can be followed as it grows (in the staging folder,
   * or in out_dir itself with in_place).  pace_ctl (NULL: none) is handed to an engine with live control
   * (ks_engine.h): when its `stop` ends the run early (the caller's
   * SIGINT handler), the files are completed with what happened so far.
   * With pace_ctl the caller installs ks_afile's signal handlers, then its
   * own over them, and hands a second signal to ks_afile's. */
  ks_pace_ctl *pace_ctl;
  /* Called with every trace event as it happens, after it is written. */
  void (*on_event)(const ks_trace_event *ev, void *ud);
  void *event_ud;
  /* Called with event_ud once the files are open, with the folder they
   * are written in until the run ends (NULL: nothing). */
  void (*on_folder)(const char *dir, void *ud);
  /* The files go into out_dir itself, renamed into place one by one,
   * where it cannot be replaced whole (ks_outdir.h's in_place). */
  gboolean in_place;
  /* What trace.jsonl holds (0: the default, above); for CONNS, the
   * connections (ids below the scenario's count, checked by the caller). */
  ks_trace_level trace;
  const guint32 *trace_conns;
  guint n_trace_conns;
  /* trace.jsonl.gz and connections.csv.gz, compressed with gzip
   * (ks_afile_open_gzip), instead of trace.jsonl and connections.csv;
   * not with pace (a live trace is followed as it grows). */
  gboolean compress;
  /* Filled in when the run completes (NULL: not wanted). */
  ks_runner_stats *stats;
  /* Called with every connection's result, in id order, as summary.json
   * is written (NULL: not wanted); in a run over several processes, on
   * rank 0 only, with every rank's connections. */
  void (*on_result)(const ks_conn_result *r, void *ud);
  void *result_ud;
  /* A run over several processes (ks_shard.h; NULL or a size of 1: this
   * process runs it all).  Rank r simulates the connections with id = r
   * modulo the size; rank 0 writes the files of the whole run, the other
   * ranks none (out_dir is rank 0's).  Refused with pcap, pace, an engine
   * that cannot shard, and connections that interact (ks_shard_check).
   * Every rank must call ks_runner_run_scenario with the same scenario,
   * seed and options. */
  const ks_shard_comm *shard;
  /* The files are committed without being synced to disk, nor their
   * folders (ks_outdir_no_sync): a kill still leaves the previous files
   * or these, a crash of the machine may leave them empty.  For a sweep's
   * cells, whose cell.json, written after the run, says a cell is
   * complete, and which the sweep syncs all at once at its end. */
  gboolean no_sync;
  /* Set to summary.json's document when the run completes (NULL: not
   * wanted; json_node_unref it), for the caller to take the run's numbers
   * from without reading the file back. */
  JsonNode **summary;
} ks_runner_opts;

/* Runs `sc` with `seed` and writes its files into `out_dir`, which is
 * created when missing, once the world is built.  Returns the finished
 * world, for reports (the backend's: free it with its world_free), or NULL
 * with a KS_RUNNER_ERROR naming the file or the problem; then no output
 * file was renamed into place.  What the backend's check refuses, and a
 * world too large for memory, fail before out_dir is created. */
void *ks_runner_run_scenario(const ks_scenario *sc, guint64 seed, const char *out_dir,
                             const ks_runner_opts *opts, GError **error);

/* Loads `scenario_path` with `sets` ("NAME=VALUE", may be NULL; see
 * ks_scenario_load) and runs it as above.  A scenario that does not load
 * fails with the loader's error (domain KS_SCENARIO_ERROR). */
gboolean ks_runner_run(const char *scenario_path, char **sets, guint64 seed, const char *out_dir,
                       const ks_runner_opts *opts, GError **error);

#endif
