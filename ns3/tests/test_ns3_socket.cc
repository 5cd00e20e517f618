/* test_ns3_socket.cc - kasim::KeepAliveTcpSocket on ns-3.37, both ends.
 *
 * Two nodes on one point-to-point link (1 ms, 100 Mbit/s).  The cable is
 * "pulled" with ns-3's own means: a RateErrorModel at rate 1 on both
 * devices, enabled at a set time.  Expected numbers come from the facts
 * sheet (../shared/reference/keepalive-facts.md), with the arithmetic
 * beside each check.  t_est is when the client's connection was
 * established (its last receive, the SYN-ACK).  Prints TAP.
 */
#include "kasim/ns3/keepalive-tcp-socket.h"

#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

using namespace ns3;
using kasim::KeepAliveTag;
using kasim::KeepAliveTcpSocket;
using kasim::KeepAliveTcpSocketFactory;

namespace
{

int g_n = 0, g_failed = 0;
std::string g_why;

/* Within one test: records the first failed check. */
bool
check(bool ok, const std::string& what)
{
    if (!ok && g_why.empty())
    {
        g_why = what;
    }
    return ok;
}

bool
near(double got, double want, double tol, const std::string& what)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s: got %.9f, want %.9f +- %g", what.c_str(), got, want, tol);
    return check(std::fabs(got - want) <= tol, buf);
}

bool
eq(long long got, long long want, const std::string& what)
{
    return check(got == want,
                 what + ": got " + std::to_string(got) + ", want " + std::to_string(want));
}

void
run_test(const char* name, const std::function<void()>& body)
{
    g_why.clear();
    body();
    Simulator::Destroy();
    g_n++;
    if (g_why.empty())
    {
        printf("ok %d %s\n", g_n, name);
    }
    else
    {
        g_failed++;
        printf("not ok %d %s # %s\n", g_n, name, g_why.c_str());
    }
    fflush(stdout);
}

const uint16_t PORT = 443;
/* Linux numbers (facts §4; include/uapi): SOL_SOCKET 1, SO_KEEPALIVE 9,
 * IPPROTO_TCP 6, TCP_KEEPIDLE 4, TCP_KEEPINTVL 5, TCP_KEEPCNT 6. */
const int L_SOL_SOCKET = 1, L_SO_KEEPALIVE = 9, L_IPPROTO_TCP = 6, L_TCP_KEEPIDLE = 4,
          L_TCP_KEEPINTVL = 5, L_TCP_KEEPCNT = 6;
/* Winsock numbers (facts §1). */
const int W_SOL_SOCKET = 0xffff, W_SO_KEEPALIVE = 8, W_IPPROTO_TCP = 6, W_TCP_KEEPIDLE = 3,
          W_TCP_KEEPCNT = 16;
const uint32_t W_SIO_KEEPALIVE_VALS = 0x98000004u;

struct Seg
{
    double t;
    uint32_t seq, ack, len;
    uint8_t flags;
    bool ts;
    int tag; /* 0, KeepAliveTag::PROBE, KeepAliveTag::PROBE_ACK */
    uint8_t firstOctet;
};

struct Net
{
    NodeContainer nodes;
    NetDeviceContainer devs;
    Ipv4InterfaceContainer ifs;
    Ptr<RateErrorModel> cut[2];
    Ptr<KeepAliveTcpSocketFactory> fac[2];
    Ptr<Socket> client, listener;
    std::vector<Ptr<Socket>> accepted;
    double established = -1, errorClose = -1, normalClose = -1;
    std::vector<Seg> clientTx, serverTx;
};

Net* g_net = nullptr;

void
Setup(Net& n, const std::string& clientProfile, const std::string& serverProfile)
{
    g_net = &n;
    n.nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));
    n.devs = p2p.Install(n.nodes);
    InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    stack.Install(n.nodes);
    Ipv4AddressHelper addr("10.1.1.0", "255.255.255.252");
    n.ifs = addr.Assign(n.devs);
    for (int i = 0; i < 2; i++)
    {
        n.cut[i] = CreateObject<RateErrorModel>();
        n.cut[i]->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
        n.cut[i]->SetRate(1.0);
        n.cut[i]->Disable();
        n.devs.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(n.cut[i]));
    }
    n.fac[0] = KeepAliveTcpSocketFactory::Install(n.nodes.Get(0), clientProfile);
    n.fac[1] = KeepAliveTcpSocketFactory::Install(n.nodes.Get(1), serverProfile);
    /* The times expected here are the rules' arithmetic: Linux's timers
     * fire when due, not when its timer wheel would run them (ka_jiffies.h;
     * test_linux_wheel below checks the wheel). */
    for (auto& f : n.fac)
    {
        if (ka_profile_family(f->GetProfile()) == KA_FAMILY_LINUX)
        {
            f->SetParam("hz=0");
        }
    }
}

void
PullCable(Net& n, double at)
{
    Simulator::Schedule(Seconds(at), &RateErrorModel::Enable, n.cut[0]);
    Simulator::Schedule(Seconds(at), &RateErrorModel::Enable, n.cut[1]);
}

void
PlugCable(Net& n, double at)
{
    Simulator::Schedule(Seconds(at), &RateErrorModel::Disable, n.cut[0]);
    Simulator::Schedule(Seconds(at), &RateErrorModel::Disable, n.cut[1]);
}

void
RecordTx(std::vector<Seg>* out, Ptr<const Packet> p, const TcpHeader& h, Ptr<const TcpSocketBase> s)
{
    (void)s;
    Seg seg{};
    seg.t = Simulator::Now().GetSeconds();
    seg.seq = h.GetSequenceNumber().GetValue();
    seg.ack = h.GetAckNumber().GetValue();
    seg.len = p->GetSize();
    seg.flags = h.GetFlags();
    seg.ts = h.HasOption(TcpOption::TS);
    KeepAliveTag tag;
    seg.tag = p->PeekPacketTag(tag) ? int(tag.GetKind()) : 0;
    if (seg.len > 0)
    {
        p->CopyData(&seg.firstOctet, 1);
    }
    out->push_back(seg);
}

void
OnConnected(Ptr<Socket> s)
{
    (void)s;
    g_net->established = Simulator::Now().GetSeconds();
}

void
OnConnectFailed(Ptr<Socket> s)
{
    (void)s;
}

void
OnNormalClose(Ptr<Socket> s)
{
    (void)s;
    g_net->normalClose = Simulator::Now().GetSeconds();
}

void
OnErrorClose(Ptr<Socket> s)
{
    (void)s;
    g_net->errorClose = Simulator::Now().GetSeconds();
}

void
Drain(Ptr<Socket> s)
{
    while (s->Recv())
    {
    }
}

bool
AcceptAll(Ptr<Socket>, const Address&)
{
    return true;
}

void
OnAccept(Ptr<Socket> s, const Address&)
{
    g_net->accepted.push_back(s);
    s->SetRecvCallback(MakeCallback(&Drain));
    s->TraceConnectWithoutContext("Tx", MakeBoundCallback(&RecordTx, &g_net->serverTx));
}

/* The server: a KeepAliveTcpSocket listener, or stock ns-3's. */
void
Listen(Net& n, bool stock, const std::function<void(Ptr<Socket>)>& before = nullptr)
{
    n.listener = stock
                     ? Socket::CreateSocket(n.nodes.Get(1), TcpSocketFactory::GetTypeId())
                     : Socket::CreateSocket(n.nodes.Get(1), KeepAliveTcpSocketFactory::GetTypeId());
    if (before)
    {
        before(n.listener);
    }
    n.listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), PORT));
    n.listener->Listen();
    n.listener->SetAcceptCallback(MakeCallback(&AcceptAll), MakeCallback(&OnAccept));
}

/* The client: a KeepAliveTcpSocket; `configure` runs before connect(). */
Ptr<KeepAliveTcpSocket>
Connect(Net& n, const std::function<void(Ptr<KeepAliveTcpSocket>)>& configure)
{
    Ptr<KeepAliveTcpSocket> s = DynamicCast<KeepAliveTcpSocket>(
        Socket::CreateSocket(n.nodes.Get(0), KeepAliveTcpSocketFactory::GetTypeId()));
    n.client = s;
    if (configure)
    {
        configure(s);
    }
    s->SetConnectCallback(MakeCallback(&OnConnected), MakeCallback(&OnConnectFailed));
    s->SetCloseCallbacks(MakeCallback(&OnNormalClose), MakeCallback(&OnErrorClose));
    s->SetRecvCallback(MakeCallback(&Drain));
    s->TraceConnectWithoutContext("Tx", MakeBoundCallback(&RecordTx, &n.clientTx));
    /* At time 0, after ns-3 has initialised the nodes (their traffic
     * control layers find their devices then). */
    Address to = InetSocketAddress(n.ifs.GetAddress(1), PORT);
    Simulator::Schedule(Seconds(0), [s, to] {
        s->Bind();
        s->Connect(to);
    });
    return s;
}

int
SetInt(Ptr<KeepAliveTcpSocket> s, int level, int name, int value)
{
    return s->SetSockOpt(level, name, &value, sizeof value);
}

/* Linux keep-alive 3/2/4 (the netdev packetdrill script of facts §4). */
void
Linux3_2_4(Ptr<KeepAliveTcpSocket> s)
{
    check(SetInt(s, L_SOL_SOCKET, L_SO_KEEPALIVE, 1) == 0, "SO_KEEPALIVE");
    check(SetInt(s, L_IPPROTO_TCP, L_TCP_KEEPIDLE, 3) == 0, "TCP_KEEPIDLE");
    check(SetInt(s, L_IPPROTO_TCP, L_TCP_KEEPINTVL, 2) == 0, "TCP_KEEPINTVL");
    check(SetInt(s, L_IPPROTO_TCP, L_TCP_KEEPCNT, 4) == 0, "TCP_KEEPCNT");
}

/* SIO_KEEPALIVE_VALS {onoff, time ms, interval ms}, little-endian u_long. */
int
SioKeepAliveVals(Ptr<KeepAliveTcpSocket> s, uint32_t onoff, uint32_t time, uint32_t intvl)
{
    uint8_t in[12];
    uint32_t v[3] = {onoff, time, intvl};
    for (int i = 0; i < 3; i++)
    {
        for (int b = 0; b < 4; b++)
        {
            in[4 * i + b] = uint8_t(v[i] >> (8 * b));
        }
    }
    uint32_t returned = 0;
    return s->WsaIoctl(W_SIO_KEEPALIVE_VALS, in, sizeof in, nullptr, 0, &returned);
}

std::vector<Seg>
Probes(const std::vector<Seg>& tx)
{
    std::vector<Seg> out;
    for (const Seg& s : tx)
    {
        if (s.tag == KeepAliveTag::PROBE)
        {
            out.push_back(s);
        }
    }
    return out;
}

const double TOL = 1e-6; /* the model works in nanoseconds; seconds as doubles */

} // namespace

int
main()
{
    /* 1. Linux, cable pulled: probes at t_est + 3, 5, 7, 9 s, each
     *    <SEQ=SND.NXT-1><ACK> with no data and the timestamp option; at
     *    t_est + 3 + 4 x 2 = 11 s an RST+ACK <SEQ=SND.NXT> and ETIMEDOUT
     *    (110) through the error-close callback (facts §3, §4). */
    run_test("linux_probes_and_gives_up", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, false);
        Ptr<KeepAliveTcpSocket> c = Connect(n, Linux3_2_4);
        PullCable(n, 1.0);
        Simulator::Stop(Seconds(20));
        Simulator::Run();
        check(n.established > 0, "not established");
        std::vector<Seg> p = Probes(n.clientTx);
        eq(p.size(), 4, "probes");
        for (size_t i = 0; i < p.size(); i++)
        {
            near(p[i].t, n.established + 3 + 2.0 * i, TOL, "probe time");
            /* ns-3's ISN is 0: after the SYN, SND.NXT = 1, so SEQ = 0. */
            eq(p[i].seq, 0, "probe seq = SND.NXT - 1");
            eq(p[i].len, 0, "probe payload (Linux: none, facts §6)");
            eq(p[i].flags, TcpHeader::ACK, "probe flags");
            check(p[i].ts, "probe without the timestamp option");
        }
        near(n.errorClose, n.established + 11, TOL, "error close");
        check(n.normalClose < 0, "closed normally too");
        const Seg& last = n.clientTx.back();
        eq(last.flags, TcpHeader::RST | TcpHeader::ACK, "give-up segment flags");
        eq(last.seq, 1, "RST seq = SND.NXT");
        near(last.t, n.established + 11, TOL, "RST time");
        eq(c->GetCloseReason(), KA_CLOSE_KEEPALIVE_TIMEOUT, "reason");
        check(c->ErrorName(c->GetPendingError()) == "ETIMEDOUT", "pending error name");
        eq(c->ErrorNumber(c->GetPendingError()), 110, "ETIMEDOUT on Linux");
        eq(c->GetProbesSent(), 4, "probes counted");
        eq(c->GetProbesAnswered(), 0, "answers counted");
    });

    /* 2. Windows Vista, SIO_KEEPALIVE_VALS {1, 3000, 1000}: 10 probes of
     *    one 0x00 octet, one second apart from t_est + 3 s; dead at
     *    3 + 10 x 1 = 13 s, WSAENETRESET (10052) pending, WSAECONNRESET
     *    (10054) later; setsockopt then fails with WSAENETRESET (facts §1,
     *    §2, §3, §6). */
    run_test("vista_one_octet_probes", [] {
        Net n;
        Setup(n, "windows-vista", "linux");
        Listen(n, false);
        Ptr<KeepAliveTcpSocket> c = Connect(n, [](Ptr<KeepAliveTcpSocket> s) {
            check(SioKeepAliveVals(s, 1, 3000, 1000) == 0, "SIO_KEEPALIVE_VALS");
        });
        PullCable(n, 1.0);
        Simulator::Stop(Seconds(20));
        Simulator::Run();
        std::vector<Seg> p = Probes(n.clientTx);
        eq(p.size(), 10, "probes (Vista: 10, fixed)");
        for (size_t i = 0; i < p.size(); i++)
        {
            near(p[i].t, n.established + 3 + 1.0 * i, TOL, "probe time");
            eq(p[i].len, 1, "probe payload (Windows: one octet)");
            eq(p[i].firstOctet, 0, "probe octet 0x00");
            eq(p[i].seq, 0, "probe seq");
            check(p[i].ts, "probe without the timestamp option");
        }
        near(n.errorClose, n.established + 13, TOL, "error close");
        eq(c->GetCloseReason(), KA_CLOSE_KEEPALIVE_TIMEOUT, "reason");
        eq(c->ErrorNumber(c->GetPendingError()), 10052, "WSAENETRESET pending");
        eq(c->ErrorNumber(c->GetLaterError()), 10054, "WSAECONNRESET later");
        int one = 1;
        int rc = c->SetSockOpt(W_SOL_SOCKET, W_SO_KEEPALIVE, &one, sizeof one);
        eq(c->ErrorNumber(rc), 10052, "setsockopt after the timeout: WSAENETRESET");
    });

    /* 3. Stock ns-3.37 does not answer a zero-length probe (facts §5): a
     *    Linux client facing a healthy stock peer hears nothing and gives
     *    up at t_est + 3 + 4 x 2 = 11 s anyway. */
    run_test("stock_peer_ignores_zero_length_probe", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, true);
        Ptr<KeepAliveTcpSocket> c = Connect(n, Linux3_2_4);
        Simulator::Stop(Seconds(20));
        Simulator::Run();
        eq(c->GetProbesSent(), 4, "probes");
        eq(c->GetProbesAnswered(), 0, "answers from stock ns-3");
        near(n.errorClose, n.established + 11, TOL, "error close");
        check(DynamicCast<KeepAliveTcpSocket>(n.accepted.at(0)) == nullptr,
              "stock listener made our socket");
    });

    /* 4. Our socket answers a zero-length probe with <SEQ=SND.NXT>
     *    <ACK=RCV.NXT><ACK> carrying timestamps: every probe is answered
     *    one round trip later, the count starts again, and the connection
     *    lives.  A probe every 3 s + one round trip (about 2 ms) over
     *    30 s: 9 probes. */
    run_test("kasim_peer_answers_zero_length_probe", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, false);
        Ptr<KeepAliveTcpSocket> c = Connect(n, Linux3_2_4);
        Simulator::Stop(Seconds(30));
        Simulator::Run();
        eq(c->GetProbesSent(), 9, "probes in 30 s");
        eq(c->GetProbesAnswered(), 9, "answers");
        check(n.errorClose < 0 && c->GetCloseReason() == KA_CLOSE_NONE, "closed");
        int answers = 0;
        for (const Seg& s : n.serverTx)
        {
            if (s.tag == KeepAliveTag::PROBE_ACK)
            {
                answers++;
                eq(s.seq, 1, "answer seq = SND.NXT");
                eq(s.ack, 1, "answer ack = RCV.NXT");
                eq(s.len, 0, "answer length");
                check(s.ts, "answer without timestamps");
            }
        }
        eq(answers, 9, "answers sent");
        check(DynamicCast<KeepAliveTcpSocket>(n.accepted.at(0)) != nullptr,
              "accepted socket is not a KeepAliveTcpSocket (Fork)");
    });

    /* 5. A timestamp-negotiating stock ns-3 peer answers a one-octet probe
     *    (as duplicate data) only because the probe carries the timestamp
     *    option (RFC 7323: it drops segments without).  Vista 3000/1000:
     *    probes every 3 s + a round trip, all answered, alive at 30 s. */
    run_test("stock_peer_answers_one_octet_probe_with_timestamps", [] {
        Net n;
        Setup(n, "windows-vista", "linux");
        Listen(n, true);
        Ptr<KeepAliveTcpSocket> c = Connect(n, [](Ptr<KeepAliveTcpSocket> s) {
            check(SioKeepAliveVals(s, 1, 3000, 1000) == 0, "SIO_KEEPALIVE_VALS");
        });
        Simulator::Stop(Seconds(30));
        Simulator::Run();
        eq(c->GetProbesSent(), 9, "probes in 30 s");
        eq(c->GetProbesAnswered(), 9, "answers from stock ns-3");
        check(n.errorClose < 0, "closed");
        for (const Seg& s : Probes(n.clientTx))
        {
            check(s.ts, "probe without timestamps");
        }
    });

    /* 6. Any answer resets the count (facts §4).  Linux 3/2/2; cable out
     *    over [t_est + 2.5, t_est + 4): the probe at +3 is lost, the one at
     *    +5 answered.  Cable out for good from +6: probes at last_rx + 3
     *    and + 5 are lost, death at last_rx + 3 + 2 x 2 = last_rx + 7, with
     *    last_rx one round trip after +5. */
    run_test("answer_resets_the_count", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, false);
        Ptr<KeepAliveTcpSocket> c = Connect(n, [](Ptr<KeepAliveTcpSocket> s) {
            Linux3_2_4(s);
            check(SetInt(s, L_IPPROTO_TCP, L_TCP_KEEPCNT, 2) == 0, "TCP_KEEPCNT");
        });
        Simulator::Stop(Seconds(0.5));
        Simulator::Run();
        double te = n.established;
        PullCable(n, te + 2.5 - 0.5);
        PlugCable(n, te + 4 - 0.5);
        PullCable(n, te + 6 - 0.5);
        Simulator::Stop(Seconds(30));
        Simulator::Run();
        double lastRx = c->GetLastRx().GetSeconds();
        check(lastRx > te + 5 && lastRx < te + 5.01, "last receive is the answer to the +5 probe");
        eq(c->GetProbesSent(), 4, "probes: +3, +5, then two");
        eq(c->GetProbesAnswered(), 1, "answers");
        near(n.errorClose, lastRx + 7, TOL, "death at last_rx + 3 + 2 x 2");
    });

    /* 7. A peer that rebooted (its socket forgotten) answers the probe
     *    with an RST from its listener (RFC 9293 3.10.7.2): the client
     *    closes at the probe + one round trip, reset_by_peer, ECONNRESET
     *    (104 on Linux), through the error callback (facts §3). */
    run_test("reset_by_rebooted_peer", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, false);
        Ptr<KeepAliveTcpSocket> c = Connect(n, Linux3_2_4);
        Simulator::Stop(Seconds(1));
        Simulator::Run();
        DynamicCast<KeepAliveTcpSocket>(n.accepted.at(0))->Forget();
        Simulator::Stop(Seconds(20));
        Simulator::Run();
        eq(c->GetProbesSent(), 1, "probes");
        check(n.errorClose > n.established + 3 && n.errorClose < n.established + 3.01,
              "closed one round trip after the probe at +3");
        check(n.normalClose < 0, "a normal close");
        eq(c->GetCloseReason(), KA_CLOSE_RESET_BY_PEER, "reason");
        eq(c->ErrorNumber(c->GetPendingError()), 104, "ECONNRESET on Linux");
    });

    /* 8. ...which stock ns-3's listener does not send (it ignores an ACK in
     *    LISTEN): with ResetInListen off, the client times out at
     *    t_est + 11 s instead. */
    run_test("stock_listener_sends_no_rst", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, false, [](Ptr<Socket> l) {
            l->SetAttribute("ResetInListen", BooleanValue(false));
        });
        Ptr<KeepAliveTcpSocket> c = Connect(n, Linux3_2_4);
        Simulator::Stop(Seconds(1));
        Simulator::Run();
        DynamicCast<KeepAliveTcpSocket>(n.accepted.at(0))->Forget();
        Simulator::Stop(Seconds(20));
        Simulator::Run();
        eq(c->GetCloseReason(), KA_CLOSE_KEEPALIVE_TIMEOUT, "reason");
        near(n.errorClose, n.established + 11, TOL, "error close");
    });

    /* 9. Accepted sockets are KeepAliveTcpSockets that inherit the
     *    listener's options (facts §1, Wine test_accept_inheritance): the
     *    listener has SO_KEEPALIVE and TCP_KEEPIDLE 4, the client none; the
     *    server probes at t_est(server) + 4 s. */
    run_test("accepted_socket_inherits_options", [] {
        Net n;
        Setup(n, "linux", "linux");
        Listen(n, false, [](Ptr<Socket> l) {
            Ptr<KeepAliveTcpSocket> k = DynamicCast<KeepAliveTcpSocket>(l);
            check(SetInt(k, L_SOL_SOCKET, L_SO_KEEPALIVE, 1) == 0, "listener SO_KEEPALIVE");
            check(SetInt(k, L_IPPROTO_TCP, L_TCP_KEEPIDLE, 4) == 0, "listener TCP_KEEPIDLE");
        });
        Ptr<KeepAliveTcpSocket> c = Connect(n, nullptr);
        PullCable(n, 1.0);
        Simulator::Stop(Seconds(6));
        Simulator::Run();
        Ptr<KeepAliveTcpSocket> a = DynamicCast<KeepAliveTcpSocket>(n.accepted.at(0));
        check(a != nullptr, "accepted socket is not a KeepAliveTcpSocket");
        int v = 0, len = sizeof v;
        check(a->GetSockOpt(L_IPPROTO_TCP, L_TCP_KEEPIDLE, &v, &len) == 0, "getsockopt");
        eq(v, 4, "inherited TCP_KEEPIDLE");
        std::vector<Seg> p = Probes(n.serverTx);
        eq(p.size(), 1, "server probes by 6 s");
        /* The server is established when the client's ACK arrives: about
         * one one-way delay after the client. */
        check(!p.empty() && p[0].t > n.established + 4 && p[0].t < n.established + 4.002,
              "server probe at its t_est + 4 s");
        eq(c->GetProbesSent(), 0, "the client has no keep-alive");
    });

    /* 10. Helpers and applications get the socket from the factory's
     *     TypeId: PacketSink and BulkSend with
     *     "kasim::KeepAliveTcpSocketFactory" move 10000 octets. */
    run_test("helpers_use_the_factory", [] {
        Net n;
        Setup(n, "linux", "windows-10-1709");
        PacketSinkHelper sink("kasim::KeepAliveTcpSocketFactory",
                              InetSocketAddress(Ipv4Address::GetAny(), 9));
        ApplicationContainer sa = sink.Install(n.nodes.Get(1));
        BulkSendHelper bulk("kasim::KeepAliveTcpSocketFactory",
                            InetSocketAddress(n.ifs.GetAddress(1), 9));
        bulk.SetAttribute("MaxBytes", UintegerValue(10000));
        ApplicationContainer ca = bulk.Install(n.nodes.Get(0));
        sa.Start(Seconds(0));
        ca.Start(Seconds(0.1));
        Simulator::Stop(Seconds(5));
        Simulator::Run();
        Ptr<PacketSink> ps = DynamicCast<PacketSink>(sa.Get(0));
        eq(ps->GetTotalRx(), 10000, "octets received");
        Ptr<BulkSendApplication> bs = DynamicCast<BulkSendApplication>(ca.Get(0));
        check(DynamicCast<KeepAliveTcpSocket>(bs->GetSocket()) != nullptr,
              "BulkSend socket is not a KeepAliveTcpSocket");
        std::list<Ptr<Socket>> acc = ps->GetAcceptedSockets();
        check(acc.size() == 1 && DynamicCast<KeepAliveTcpSocket>(acc.front()) != nullptr,
              "PacketSink's accepted socket is not a KeepAliveTcpSocket");
        Ptr<KeepAliveTcpSocket> k = DynamicCast<KeepAliveTcpSocket>(acc.front());
        check(k && std::string(ka_profile_name(k->GetProfile())) == "windows-10-1709",
              "the server node's profile");
    });

    /* 11. The option API returns the modelled OS's errors (facts §1):
     *     TCP_KEEPIDLE on Vista: WSAENOPROTOOPT (10042); TCP_KEEPCNT 300 on
     *     1709: WSAEINVAL (10022); SO_KEEPALIVE while connecting on Vista+:
     *     WSAEINVAL; TCP_KEEPCNT 128 on Linux (max 127): EINVAL (22); an
     *     unknown profile and an out-of-range sysctl are refused. */
    run_test("option_errors", [] {
        Net n;
        Setup(n, "windows-vista", "windows-10-1709");
        Ptr<KeepAliveTcpSocket> v = DynamicCast<KeepAliveTcpSocket>(n.fac[0]->CreateSocket());
        Ptr<KeepAliveTcpSocket> w = DynamicCast<KeepAliveTcpSocket>(n.fac[1]->CreateSocket());
        int rc = SetInt(v, W_IPPROTO_TCP, W_TCP_KEEPIDLE, 30);
        eq(v->ErrorNumber(rc), 10042, "TCP_KEEPIDLE on Vista");
        check(v->ErrorName(rc) == "WSAENOPROTOOPT", "WSAENOPROTOOPT by name");
        rc = SetInt(w, W_IPPROTO_TCP, W_TCP_KEEPCNT, 300);
        eq(w->ErrorNumber(rc), 10022, "TCP_KEEPCNT 300 on 1709");
        eq(SetInt(w, W_IPPROTO_TCP, W_TCP_KEEPCNT, 255), 0, "TCP_KEEPCNT 255 on 1709");
        Listen(n, true);
        Address to = InetSocketAddress(n.ifs.GetAddress(1), PORT);
        Simulator::Schedule(Seconds(0), [v, to] {
            v->Bind();
            v->Connect(to);
            int r = SetInt(v, W_SOL_SOCKET, W_SO_KEEPALIVE, 1);
            eq(v->ErrorNumber(r), 10022, "SO_KEEPALIVE while connecting (Vista)");
        });
        Ptr<KeepAliveTcpSocketFactory> lf = CreateObject<KeepAliveTcpSocketFactory>();
        check(lf->SetProfile("linux"), "linux profile");
        check(!lf->SetProfile("windows-95"), "unknown profile accepted");
        std::string why;
        /* The sysctl is a u8 (proc_dou8vec_minmax): 256 is out of range. */
        check(!lf->SetParam("net.ipv4.tcp_keepalive_probes=256", &why) && !why.empty(),
              "tcp_keepalive_probes=256 accepted");
        check(lf->SetParam("net.ipv4.tcp_keepalive_time=600", &why), "tcp_keepalive_time=600");
        /* 600 s, in nanoseconds. */
        eq(ka_params_keepidle(lf->GetParams()), 600000000000LL, "keepidle from the sysctl");
        /* Linux allows TCP_KEEPCNT 1...127 (facts §4). */
        check(n.fac[1]->SetProfile("linux"), "linux profile");
        Ptr<KeepAliveTcpSocket> l = DynamicCast<KeepAliveTcpSocket>(n.fac[1]->CreateSocket());
        rc = SetInt(l, L_IPPROTO_TCP, L_TCP_KEEPCNT, 128);
        eq(l->ErrorNumber(rc), 22, "TCP_KEEPCNT 128 on Linux");
        Simulator::Stop(Seconds(1));
        Simulator::Run();
    });

    /* 12. The data retransmission give-up is the model's: Vista's
     *     TcpMaxDataRetransmissions 5 with the RTO doubling from 1 s
     *     (KB170359, facts §2): retransmissions 1, 3, 7, 15, 31 s after
     *     the send, WSAETIMEDOUT (10060) at 1+2+4+8+16+32 = 63 s, long
     *     before ns-3's own 6 retries would have allowed. */
    run_test("retransmission_giveup", [] {
        Net n;
        Setup(n, "windows-vista", "linux");
        Listen(n, false);
        Ptr<KeepAliveTcpSocket> c = Connect(n, nullptr);
        PullCable(n, 0.5);
        Simulator::Schedule(Seconds(1), [c] { c->Send(Create<Packet>(1000), 0); });
        Simulator::Stop(Seconds(100));
        Simulator::Run();
        eq(c->GetCloseReason(), KA_CLOSE_RETRANSMISSION_TIMEOUT, "reason");
        near(n.errorClose, 1 + 63, TOL, "error close");
        eq(c->ErrorNumber(c->GetPendingError()), 10060, "WSAETIMEDOUT");
    });

    printf("1..%d\n", g_n);
    return g_failed == 0 ? 0 : 1;
}
