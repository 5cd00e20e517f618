// bench_ns3_hold.cc - kasim's engine workloads on ns-3's own simulator and
// schedulers, for the ratio kasim/ns-3 (bench/bench-compare prints it).
//
// Two workloads, each the same as a kasim bench down to the random numbers
// (bench_common.h's splitmix64 and Lemire draw, same seed):
//
//  hold       bench_hold's hold model.  N events pending; each one, when it
//             runs, schedules one new event at now + uniform [0, 2 s) ns
//             (Simulator::Schedule of a plain function: one EventImpl per
//             event, as every ns-3 model does).  Timed: M events after a
//             warm-up of max(N, 1e5), M = max(2e7, 2N) (2e6 for
//             ListScheduler) unless --events.
//             Figure: events per wall second.
//
//  keepalive  bench_kapattern's event pattern, the one the keep-alive
//             timers of bench_idle's world produce, without the TCP: N
//             connections, each with a keep-alive timer (an EventId per
//             connection, as ns-3's TCP keeps its timers) and a last-receive
//             time.  The timer fires at T: a probe is scheduled to reach
//             the server at T + 20 ms, which schedules the answer to reach
//             the client at T + 40 ms, which records the receive and moves
//             the timer (pending at T + 1 s, the probe interval) to that
//             receive + 2 h: Simulator::Cancel and Schedule, as an ns-3
//             model re-arms an EventId.  3 events per connection per 2 h;
//             first timers uniform over [0, 2 h); 24 virtual hours.
//             Figures: events and connections x virtual hours per wall
//             second.
//
// Each (workload, scheduler, N) runs in a child process of its own, so that
// its peak RSS is its own, --reps times (best and range printed).  The
// scheduler is chosen with Simulator::SetScheduler before anything is
// scheduled.  ListScheduler (O(N) inserts: 57 us an event at N = 1e4) runs
// only at N = 1e3 and CalendarScheduler (5 us an event at 1e5 here) only
// up to 1e4, unless --all-schedulers.
//
// Output lines start with "ns3 " and are tab-free "key=value" records, so
// that bench/bench-compare can read them back.
#include <sys/wait.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"
#include "ns3/version-defines.h"

#include "bench_common.h"

using namespace ns3;

namespace {

constexpr uint64_t kSeed = 20240601u;

struct Options {
  uint64_t events = 0;  // hold: 0 = max(2e7, 2N)
  int reps = 3;
  double hours = 24;
  bool all_schedulers = false;
  bool hold = true, keepalive = true;
  std::vector<std::string> schedulers;
  std::vector<uint64_t> ns;
};

struct Result {
  double secs = 0;
  uint64_t events = 0;
  long base_kib = 0, peak_kib = 0;
};

// --- hold -------------------------------------------------------------------

bench_rng g_rng;
bench_uniform g_u;
uint64_t g_left;

void OnHold() {
  Simulator::Schedule(NanoSeconds(bench_draw(&g_rng, &g_u)), &OnHold);
  if (--g_left == 0)
    Simulator::Stop();
}

Result RunHold(const std::string &scheduler, uint64_t n, const Options &o) {
  Result r;
  r.base_kib = bench_current_rss_kib();
  ObjectFactory f;
  f.SetTypeId(scheduler);
  Simulator::SetScheduler(f);
  g_rng.s = kSeed;
  g_u = bench_uniform_new(2 * UINT64_C(1000000000));
  for (uint64_t i = 0; i < n; i++)
    Simulator::Schedule(NanoSeconds(bench_draw(&g_rng, &g_u)), &OnHold);
  g_left = std::max<uint64_t>(n, 100000);  // warm-up, as bench_hold
  Simulator::Run();
  uint64_t m = o.events != 0 ? o.events : std::max<uint64_t>(20000000, 2 * n);
  if (scheduler == "ns3::ListScheduler" && o.events == 0)
    m = 2000000;  // 3 us an event: 2e6 are enough for a figure
  g_left = m;
  double t0 = bench_mono_s();
  Simulator::Run();
  double t1 = bench_mono_s();
  r.secs = t1 - t0;
  r.events = m;
  r.peak_kib = bench_peak_rss_kib();
  Simulator::Destroy();
  return r;
}

// --- keepalive pattern --------------------------------------------------------

constexpr int64_t kIdle = BENCH_KA_IDLE;
constexpr int64_t kIntvl = BENCH_KA_INTVL;
constexpr int64_t kDelay = BENCH_KA_DELAY;

struct Conn {
  int64_t last_rx;  // ns
  EventId timer;
};

std::vector<Conn> g_conns;
uint64_t g_events;

void OnKeepalive(uint32_t c);

void ArmKeepalive(uint32_t c, int64_t at) {
  int64_t now = Simulator::Now().GetNanoSeconds();
  g_conns[c].timer = Simulator::Schedule(NanoSeconds(at - now), &OnKeepalive, c);
}

void OnAnswer(uint32_t c) {  // the probe's answer reaches the client
  g_events++;
  g_conns[c].last_rx = Simulator::Now().GetNanoSeconds();
  Simulator::Cancel(g_conns[c].timer);
  ArmKeepalive(c, g_conns[c].last_rx + kIdle);
}

void OnProbe(uint32_t c) {  // the probe reaches the server
  g_events++;
  Simulator::Schedule(NanoSeconds(kDelay), &OnAnswer, c);
}

void OnKeepalive(uint32_t c) {
  g_events++;
  int64_t now = Simulator::Now().GetNanoSeconds();
  Simulator::Schedule(NanoSeconds(kDelay), &OnProbe, c);
  ArmKeepalive(c, now + kIntvl);
}

Result RunKeepalive(const std::string &scheduler, uint64_t n, const Options &o) {
  Result r;
  r.base_kib = bench_current_rss_kib();
  ObjectFactory f;
  f.SetTypeId(scheduler);
  Simulator::SetScheduler(f);
  bench_rng rng = {kSeed};
  g_conns.assign(n, Conn{0, EventId()});
  g_events = 0;
  for (uint64_t i = 0; i < n; i++) {
    int64_t at = bench_ka_first(&rng);
    g_conns[i].last_rx = at - kIdle;
    g_conns[i].timer = Simulator::Schedule(NanoSeconds(at), &OnKeepalive, (uint32_t)i);
  }
  Simulator::Stop(NanoSeconds((int64_t)(o.hours * 3600e9)));
  double t0 = bench_mono_s();
  Simulator::Run();
  double t1 = bench_mono_s();
  r.secs = t1 - t0;
  r.events = g_events;
  r.peak_kib = bench_peak_rss_kib();
  Simulator::Destroy();
  g_conns.clear();
  g_conns.shrink_to_fit();
  return r;
}

// --- driver ------------------------------------------------------------------

bool InChild(Result (*fn)(const std::string &, uint64_t, const Options &),
             const std::string &scheduler, uint64_t n, const Options &o, Result *out) {
  int fds[2];
  std::fflush(stdout);
  if (pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    close(fds[0]);
    Result r = fn(scheduler, n, o);
    if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
      _exit(1);
    _exit(0);
  }
  close(fds[1]);
  ssize_t got = read(fds[0], out, sizeof *out);
  close(fds[0]);
  int status;
  return waitpid(pid, &status, 0) >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
         got == (ssize_t)sizeof *out;
}

bool Runs(const std::string &scheduler, uint64_t n, const Options &o) {
  if (o.all_schedulers)
    return true;
  if (scheduler == "ns3::ListScheduler")
    return n <= 1000;
  if (scheduler == "ns3::CalendarScheduler")
    return n <= 10000;
  return true;
}

void Measure(const char *workload, Result (*fn)(const std::string &, uint64_t, const Options &),
             const std::string &scheduler, uint64_t n, const Options &o) {
  Result best, r;
  double worst = 0;
  long peak = 0;
  for (int k = 0; k < o.reps; k++) {
    if (!InChild(fn, scheduler, n, o, &r)) {
      std::printf("ns3 workload=%s scheduler=%s n=%" PRIu64 " FAILED\n", workload,
                  scheduler.c_str(), n);
      return;
    }
    if (k == 0 || r.secs < best.secs)
      best = r;
    worst = std::max(worst, r.secs);
    peak = std::max(peak, r.peak_kib - r.base_kib);
  }
  double cvh = (double)n * o.hours;
  std::printf("ns3 workload=%s scheduler=%s n=%" PRIu64 " events=%" PRIu64
              " best_s=%.4f worst_s=%.4f mev_s=%.3f ns_event=%.1f",
              workload, scheduler.c_str() + 5, n, best.events, best.secs, worst,
              (double)best.events / best.secs / 1e6, best.secs * 1e9 / (double)best.events);
  if (std::strcmp(workload, "keepalive") == 0)
    std::printf(" cvh_s=%.4g", cvh / best.secs);
  std::printf(" bytes_per=%.1f\n", (double)peak * 1024.0 / (double)n);
  std::fflush(stdout);
}

[[noreturn]] void Usage() {
  std::fprintf(stderr, "usage: bench_ns3_hold [--big] [--reps R] [--events M] [--hours H]\n"
                       "                      [--hold-only | --keepalive-only] [--all-schedulers]\n"
                       "                      [--scheduler ns3::NAME ...] [N ...]\n"
                       "default N: 1e3 1e4 1e5 1e6, plus 1e7 with --big; R = 3, H = 24\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  bench_args args = bench_args_new();
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (bench_take_arg(&args, argc, argv, &i, 1, 1)) {
      continue;
    } else if (a == "--events" && i + 1 < argc) {
      o.events = bench_parse_count(argv[++i]);
    } else if (a == "--hours" && i + 1 < argc) {
      o.hours = std::atof(argv[++i]);
    } else if (a == "--hold-only") {
      o.keepalive = false;
    } else if (a == "--keepalive-only") {
      o.hold = false;
    } else if (a == "--all-schedulers") {
      o.all_schedulers = true;
    } else if (a == "--scheduler" && i + 1 < argc) {
      o.schedulers.push_back(argv[++i]);
    } else {
      Usage();
    }
  }
  o.reps = args.reps;
  if (o.reps < 1 || o.hours <= 0)
    Usage();
  bench_default_ns(&args);
  o.ns.assign(args.ns, args.ns + args.n_ns);
  if (o.schedulers.empty())
    o.schedulers = {"ns3::MapScheduler", "ns3::HeapScheduler", "ns3::PriorityQueueScheduler",
                    "ns3::CalendarScheduler", "ns3::ListScheduler"};

  bench_print_header(argc, argv);
  std::printf("ns-3: libns3-core %d.%d; hold: increments uniform on [0, 2 s) ns, splitmix64 "
              "(as bench_hold); keepalive: bench_kapattern's pattern, %g virtual hours; "
              "best of %d\n",
              NS3_VERSION_MAJOR, NS3_VERSION_MINOR, o.hours, o.reps);
  for (uint64_t n : o.ns) {
    for (const std::string &s : o.schedulers) {
      if (!Runs(s, n, o))
        continue;
      if (o.hold)
        Measure("hold", RunHold, s, n, o);
      if (o.keepalive)
        Measure("keepalive", RunKeepalive, s, n, o);
    }
  }
  return 0;
}
