/* ks_scenario.h - a link-failure scenario as the engine runs it.
 *
 * ks_scenario_load() reads the YAML a user writes (scenarios/NAME.yaml; the
 * format is in docs/scenarios.md) into this plain description.  Nothing
 * here runs: sim/world/ks_world turns it into hosts, links and connections.
 * Every duration is already in ka_time nanoseconds; every name reference
 * is already resolved to an index and checked.
 */
#ifndef KASIM_KS_SCENARIO_H
#define KASIM_KS_SCENARIO_H

#include <glib.h>
#include <kasim/ka.h>

#include "ks_limits.h"
#include "ks_net.h"

#define KS_SCENARIO_ERROR (ks_scenario_error_quark())
GQuark ks_scenario_error_quark(void);

/* One error code: the message says "FILE:LINE:COLUMN: what is wrong". */
typedef enum ks_scenario_error { KS_SCENARIO_ERROR_INVALID } ks_scenario_error;

typedef struct ks_host_spec {
  char *name;
  const ka_profile *profile;
  ka_params *params; /* defaults + registry file + settings, applied */
  GPtrArray *notes;  /* char*: ignored .reg values and the like */
  /* What the host does when it crashes or reboots is on the timeline. */
} ks_host_spec;

typedef struct ks_link_spec {
  char *name;
  guint a, b;            /* host indices, a != b */
  ka_time delay;         /* one way */
  guint64 bandwidth_bps; /* 0 = infinite */
  double loss;           /* 0..1, each direction, per segment */
} ks_link_spec;

typedef struct ks_middlebox_spec {
  char *name;
  char *kind; /* "nat", "firewall", "load-balancer": for reports */
  guint link; /* link index it sits on */
  ka_time idle_timeout;
  ks_expiry_action on_expiry;
} ks_middlebox_spec;

typedef enum ks_traffic_kind {
  KS_TRAFFIC_IDLE,     /* nothing after the handshake */
  KS_TRAFFIC_PERIODIC, /* client request, server response, every period */
  KS_TRAFFIC_BULK      /* client sends continuously from `start` */
} ks_traffic_kind;

typedef enum ks_keepalive_side {
  KS_KEEPALIVE_CLIENT = 1,
  KS_KEEPALIVE_SERVER = 2,
  KS_KEEPALIVE_BOTH = 3
} ks_keepalive_side;

/* A socket option as written in the scenario ("TCP_KEEPIDLE", "30"); it is
 * applied through the model's option API when the socket is made, and a
 * refusal is a scenario error. */
typedef struct ks_sockopt_spec {
  char *name, *value;
  int line, column;
} ks_sockopt_spec;

typedef struct ks_group_spec {
  char *name;
  guint count;          /* connections */
  guint client, server; /* host indices */
  ks_keepalive_side keepalive;
  GArray *sockopts;       /* ks_sockopt_spec, on the keep-alive side(s) */
  ka_time connect_at;     /* when the connections are established */
  ka_time connect_spread; /* spread uniformly over [at, at+spread) */
  ks_traffic_kind traffic;
  ka_time period;                        /* PERIODIC */
  guint32 request_bytes, response_bytes; /* PERIODIC; BULK uses request_bytes per segment */
  ka_time traffic_start, traffic_stop;   /* stop = KA_TIME_NEVER: never */
} ks_group_spec;

typedef struct ks_scenario {
  char *path; /* as given */
  char *name;
  char *description;      /* the "what it teaches" text, optional */
  ka_time duration;       /* the run ends here at the latest */
  guint64 seed;           /* default when --seed is not given */
  GPtrArray *hosts;       /* ks_host_spec* */
  GPtrArray *links;       /* ks_link_spec* */
  GPtrArray *middleboxes; /* ks_middlebox_spec* */
  GPtrArray *groups;      /* ks_group_spec* */
  GArray *events;         /* ks_event_spec, sorted by `at`, stable */
} ks_scenario;

/* Reads and checks a scenario file.  `sets` ("NAME=VALUE" strings from
 * --set, may be NULL) come last: a registry value or sysctl applies to
 * every host whose profile has it, a socket option (ks_sockopt.h) to every
 * group's keep-alive sockets; a NAME that nothing has is an error.  On
 * error returns NULL with "FILE:LINE:COLUMN: problem" (or "--set ...:
 * problem"). */
ks_scenario *ks_scenario_load(const char *path, char **sets, GError **error);
/* The same, with `limits` (NULL: ks_limits_init_env's), from data[0..len)
 * when data is not NULL (`path` then only names it in messages and places
 * its registry files), else from the file at `path`, read up to the limit
 * scenario_bytes.  A limit passed is an error at the place that passes it,
 * naming the limit (docs/limits.md). */
ks_scenario *ks_scenario_load_data(const char *path, const char *data, gsize len, char **sets,
                                   const ks_limits *limits, GError **error);
void ks_scenario_free(ks_scenario *sc);

/* A scenario file read, checked for its shape (the limits) and parsed
 * once, for loading many times with other `sets`: what ks_scenario_load_data
 * does in two steps, with the same messages.  ks_scenario_src_new fails
 * where the file cannot be read or is not one YAML document; each
 * ks_scenario_src_load then applies its `sets` to the parsed document,
 * builds and checks the scenario, and takes the sets back out, so that
 * every load sees the file as written (`kasim sweep`'s cells: the YAML is
 * parsed once per sweep, not once per cell).  A source is used by one
 * thread at a time. */
typedef struct ks_scenario_src ks_scenario_src;
ks_scenario_src *ks_scenario_src_new(const char *path, const char *data, gsize len,
                                     const ks_limits *limits, GError **error);
ks_scenario *ks_scenario_src_load(ks_scenario_src *src, char **sets, GError **error);
void ks_scenario_src_free(ks_scenario_src *src);

/* The route from host `from` to host `to` (from != to): the fewest links,
 * ties going to the lower link index, so that both engines route every
 * group alike.  Replaces the contents of `hops` (ks_net_hop); FALSE if
 * no links join the two hosts.  Link ends must be valid host indices. */
gboolean ks_scenario_route(const ks_scenario *sc, guint from, guint to, GArray *hops);

/* The network the scenario describes, as both engines keep it (ks_net.h):
 * hosts with their profiles, links, middleboxes, and each group's path
 * (ks_scenario_route) with the middleboxes on it.  A Linux host's uptime
 * is its `uptime` setting, or drawn from `seed` and the host's index.
 * NULL with an error naming the group when two hosts have no path between
 * them. */
ks_net *ks_scenario_net_new(const ks_scenario *sc, guint64 seed, GError **error);

/* Parses "350s", "4m", "1.5h", "250ms", "2d" into nanoseconds; FALSE if it
 * is not a duration.  A bare number is refused: units are required. */
gboolean ks_duration_parse(const char *text, ka_time *out);

#endif
