/* ks_ns3_world.cc - a kasim scenario as an ns-3 simulation.  See ks_ns3.h
 * and docs/ns3.md.
 *
 * What becomes what:
 *  - a host: an ns-3 node with the IPv4 internet stack (static routing
 *    only, no IPv6) and a kasim::KeepAliveTcpSocketFactory holding the
 *    host's profile and tunables; every socket is a KeepAliveTcpSocket;
 *  - a link: a point-to-point link (delay, bandwidth as its DataRate),
 *    a /30 of 10.0.0.0/8 per link; each group's client and server talk
 *    over the same path the native engine takes (breadth-first, links in
 *    index order), installed as static host routes;
 *  - link failure, loss and middleboxes: decided when a segment is put on
 *    a link (the device's MacTx trace), in the native engine's order (the
 *    direction is down; each middlebox; loss), by the rules both engines
 *    share (sim/net/ks_net.h), and carried out by an ns-3 ErrorModel on
 *    the receiving device, which drops what was marked;
 *  - a middlebox that resets on expiry sends its RSTs from its link:
 *    built as IPv4+TCP and handed to the link's device;
 *  - a crash: the node's devices drop everything and its sockets freeze;
 *    a reboot: its sockets forget their connections (KeepAliveTcpSocket::
 *    Forget), so ns-3 answers the next segment with an RST;
 *  - traffic: the native engine's applications, on ns-3 sockets.
 * Connection i uses client port 49152 + i and server port 443, which is
 * how a segment on a link is traced back to its connection.
 */
#include <glib.h>
#include <kasim/ka.h>

extern "C" {
#include "ks_backend.h"
#include "ks_failure.h"
#include "ks_net.h"
#include "ks_rng.h"
#include "ks_scenario.h"
#include "ks_sockopt.h"
}
#include "ks_ns3.h"

#include "kasim/ns3/keepalive-tcp-socket.h"

#include <ns3/boolean.h>
#include <ns3/config.h>
#include <ns3/data-rate.h>
#include <ns3/error-model.h>
#include <ns3/inet-socket-address.h>
#include <ns3/internet-stack-helper.h>
#include <ns3/ipv4-address-helper.h>
#include <ns3/ipv4-header.h>
#include <ns3/ipv4-static-routing-helper.h>
#include <ns3/ipv4-static-routing.h>
#include <ns3/ipv4.h>
#include <ns3/node-container.h>
#include <ns3/node.h>
#include <ns3/packet.h>
#include <ns3/pcap-file-wrapper.h>
#include <ns3/point-to-point-helper.h>
#include <ns3/point-to-point-net-device.h>
#include <ns3/ppp-header.h>
#include <ns3/simulator.h>
#include <ns3/tcp-header.h>
#include <ns3/trace-helper.h>
#include <ns3/uinteger.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace ns3;
using kasim::KeepAliveTag;
using kasim::KeepAliveTcpSocket;
using kasim::KeepAliveTcpSocketFactory;

/* A quark's name has hyphens, which clang-format would space out. */
// clang-format off
G_DEFINE_QUARK(ks-ns3-error-quark, ks_ns3_error)

// clang-format on

namespace
{

/* Each constant with its reason. */
const uint16_t SERVER_PORT = 443;         /* as the native engine's pcap */
const uint16_t CLIENT_PORT_FIRST = 49152; /* IANA's dynamic range; + connection id */
/* A link without a bandwidth has none in the scenario ("unlimited"); a
 * point-to-point device needs a rate: 1 Tbit/s puts a 1500-octet packet
 * on the wire in 12 ns (docs/ns3.md). */
const uint64_t UNLIMITED_BPS = 1000000000000ull;
/* Segments carry at most 1448 octets: ns-3's TCP puts the 12-octet
 * timestamp option on every segment, and 1448 + 32 + 20 fits the
 * 1500-octet MTU as on Linux with timestamps (the native engine's headers
 * have no options: 1460). */
const uint32_t MSS = 1448;
const uint16_t PPP_IPV4 = 0x0021;
const uint16_t ETHERTYPE_IPV4 = 0x0800;

enum Fate : uint8_t
{
    FATE_LINK_DOWN = 1,
    FATE_MIDDLEBOX = 2,
    FATE_LOSS = 3
};

/* Marks a packet the receiving device's error model must drop. */
class FateTag : public Tag
{
  public:
    FateTag(uint8_t why = 0)
        : m_why(why)
    {
    }

    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("kasim::ns3engine::FateTag")
                                .SetParent<Tag>()
                                .SetGroupName("Kasim")
                                .AddConstructor<FateTag>();
        return tid;
    }

    TypeId GetInstanceTypeId() const override
    {
        return GetTypeId();
    }

    uint32_t GetSerializedSize() const override
    {
        return 1;
    }

    void Serialize(TagBuffer i) const override
    {
        i.WriteU8(m_why);
    }

    void Deserialize(TagBuffer i) override
    {
        m_why = i.ReadU8();
    }

    void Print(std::ostream& os) const override
    {
        os << "fate=" << unsigned(m_why);
    }

  private:
    uint8_t m_why;
};

/* What a segment is (ks_seg_kind), decided where it was sent, and for a
 * middlebox's RST the link it was put on (its boxes let it pass there). */
class SegTag : public Tag
{
  public:
    SegTag(uint8_t kind = 0, uint32_t injectedOn = UINT32_MAX)
        : m_kind(kind),
          m_link(injectedOn)
    {
    }

    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("kasim::ns3engine::SegTag")
                                .SetParent<Tag>()
                                .SetGroupName("Kasim")
                                .AddConstructor<SegTag>();
        return tid;
    }

    TypeId GetInstanceTypeId() const override
    {
        return GetTypeId();
    }

    uint32_t GetSerializedSize() const override
    {
        return 5;
    }

    void Serialize(TagBuffer i) const override
    {
        i.WriteU8(m_kind);
        i.WriteU32(m_link);
    }

    void Deserialize(TagBuffer i) override
    {
        m_kind = i.ReadU8();
        m_link = i.ReadU32();
    }

    void Print(std::ostream& os) const override
    {
        os << "kind=" << unsigned(m_kind);
    }

    uint8_t m_kind;
    uint32_t m_link;
};

} // namespace

/* --- The world. ----------------------------------------------------------- */

namespace
{

/* What ns-3 adds to a ks_net_link. */
struct Link
{
    Ptr<PointToPointNetDevice> dev[2]; /* [0] at a, [1] at b */
    Ipv4Address addr[2];
    std::vector<guint> mbs; /* the middleboxes on it */
};

struct MbState
{
    ka_time last = -1; /* as in ks_failure.h: >= 0 last activity; -1 never; <= -2 dropped */
    EventId timer;
};

/* A ks_net_mb's states, by connection. */
struct Mb
{
    std::vector<MbState> st;
};

/* What ns-3 adds to a ks_net_host. */
struct Host
{
    Ptr<Node> node;
    Ptr<KeepAliveTcpSocketFactory> factory;
    Ptr<KeepAliveTcpSocket> listener;
    std::string name;
};

struct Group
{
    std::string name;
    const ks_net_path* path; /* its hosts and links (ks_net.h) */
    bool ka[2];
    std::vector<std::pair<std::string, std::string>> sockopts;
    ks_traffic_kind traffic;
    ka_time connectAt, spread, period, start, stop;
    uint32_t req, resp;
    uint32_t first, count;
    Ipv4Address addr[2]; /* the client's and the server's address on the path */
};

struct Conn
{
    guint group;
    ka_time connectAt;
    Ptr<KeepAliveTcpSocket> sock[2];
    uint64_t rx[2] = {0, 0}, tx[2] = {0, 0};
    EventId app;
    /* For the trace: the highest sequence sent so far each way, and
     * whether the client's handshake ACK is still to come. */
    uint32_t high[2] = {0, 0};
    bool highSet[2] = {false, false};
    bool handshakeAck = false;
    /* connect() failed after its SYN retransmissions. */
    ka_time synFailedAt = KA_TIME_NEVER;
    /* Its socket on that side was forgotten by a reboot. */
    ka_time lostAt[2] = {KA_TIME_NEVER, KA_TIME_NEVER};
    /* Loss draws made so far: its place in its random stream (ks_rng.h). */
    uint32_t lossDraws = 0;
};

} // namespace

struct ks_ns3_world
{
    ka_time duration;
    guint64 rngKey;        /* ks_rng_key(seed) */
    ks_net* net = nullptr; /* the shared rules' state: hosts, links, middleboxes, paths */
    NodeContainer nodes;
    std::vector<Host> hosts;
    std::vector<Link> links;
    std::vector<Mb> mbs;
    std::vector<Group> groups;
    std::vector<Conn> conns;
    std::vector<ks_event_spec> events;
    /* ks_ns3_world_set_pcap's file.  Its trace sink would keep it open
     * until the world is freed; it is closed when the run ends instead,
     * so that the runner can rename it into place while the world is
     * still there for the report. */
    Ptr<PcapFileWrapper> pcap;
    bool ran = false;
};

namespace
{

ks_ns3_world* g_live = nullptr; /* ns-3's simulator is global: one world at a time */

ka_time
NowNs()
{
    return Simulator::Now().GetNanoSeconds();
}

void
Trace(ks_ns3_world* w,
      ks_trace_kind kind,
      const ks_segment* seg,
      guint host,
      const char* what,
      const char* error,
      guint target)
{
    ks_net_trace(w->net, NowNs(), kind, seg, host, what, error, target);
}

/* A packet as a point-to-point device sees it (PPP, IPv4, TCP), as a
 * kasim segment; false when it is not one of our connections'. */
bool
ParseSegment(const ks_ns3_world* w, Ptr<const Packet> p, ks_segment* seg, TcpHeader* tcpOut)
{
    Ptr<Packet> c = p->Copy();
    PppHeader ppp;
    if (c->GetSize() < ppp.GetSerializedSize())
    {
        return false;
    }
    c->RemoveHeader(ppp);
    if (ppp.GetProtocol() != PPP_IPV4)
    {
        return false;
    }
    Ipv4Header ip;
    c->RemoveHeader(ip);
    /* Only a first fragment holds the TCP header (segments are sized not
     * to be fragmented: see MSS). */
    if (ip.GetProtocol() != 6 || ip.GetFragmentOffset() != 0 || c->GetSize() < 20)
    {
        return false;
    }
    TcpHeader th;
    c->RemoveHeader(th);
    bool fromClient = th.GetDestinationPort() == SERVER_PORT;
    uint16_t cport = fromClient ? th.GetSourcePort() : th.GetDestinationPort();
    if (cport < CLIENT_PORT_FIRST || uint32_t(cport - CLIENT_PORT_FIRST) >= w->conns.size())
    {
        return false;
    }
    *seg = ks_segment{};
    seg->conn = uint32_t(cport - CLIENT_PORT_FIRST);
    seg->from_client = fromClient ? 1 : 0;
    seg->flags = th.GetFlags() & (KS_TCP_FIN | KS_TCP_SYN | KS_TCP_RST | KS_TCP_PSH | KS_TCP_ACK);
    seg->seq = th.GetSequenceNumber().GetValue();
    seg->ack = th.GetAckNumber().GetValue();
    seg->window = th.GetWindowSize();
    seg->len = c->GetSize();
    SegTag st;
    seg->kind = p->PeekPacketTag(st) ? st.m_kind : uint8_t(KS_SEG_ACK);
    if (tcpOut != nullptr)
    {
        *tcpOut = th;
    }
    return true;
}

/* What a segment is, where it is sent (the trace's "kind"). */
uint8_t
Classify(Conn& c, const ks_segment& s, Ptr<const Packet> p)
{
    int d = s.from_client ? 0 : 1;
    KeepAliveTag kt;
    if (s.flags & KS_TCP_RST)
    {
        return KS_SEG_RST;
    }
    if (s.flags & KS_TCP_SYN)
    {
        if (s.from_client)
        {
            c.handshakeAck = true;
        }
        return KS_SEG_HANDSHAKE;
    }
    if (p->PeekPacketTag(kt))
    {
        return kt.GetKind() == KeepAliveTag::PROBE ? KS_SEG_KEEPALIVE : KS_SEG_KEEPALIVE_ACK;
    }
    if (s.len > 0)
    {
        uint32_t end = s.seq + s.len;
        if (c.highSet[d] && int32_t(end - c.high[d]) <= 0)
        {
            return KS_SEG_RETRANSMISSION;
        }
        c.high[d] = end;
        c.highSet[d] = true;
        return KS_SEG_DATA;
    }
    if (s.from_client && c.handshakeAck)
    {
        c.handshakeAck = false;
        return KS_SEG_HANDSHAKE;
    }
    return KS_SEG_ACK;
}

/* --- Middleboxes: the rules are ks_net's, the states and RSTs ours. --- */

void InjectRst(ks_ns3_world* w, guint32 id, guint m, guint hop, bool towardClient);

/* A resetting box's state expired: RSTs to both ends. */
void
MbReset(ks_ns3_world* w, guint m, guint32 id)
{
    w->mbs[m].st[id].timer.Cancel();
    const ks_net_path* p = w->groups[w->conns[id].group].path;
    guint hop = 0;
    for (guint h = 0; h < p->n_hops; h++)
    {
        if (p->hops[h].link == w->net->mbs[m].link)
        {
            hop = h;
        }
    }
    /* Toward the client first, then toward the server. */
    InjectRst(w, id, m, hop, true);
    InjectRst(w, id, m, hop, false);
}

void
MbTimer(ks_ns3_world* w, guint m, guint32 id)
{
    const ks_net_mb* mb = &w->net->mbs[m];
    MbState& s = w->mbs[m].st[id];
    ka_time due = ks_net_mb_due(mb, s.last), now = NowNs();
    if (due == KA_TIME_NEVER)
    {
        return;
    }
    if (now < due)
    {
        s.timer = Simulator::Schedule(NanoSeconds(due - now), &MbTimer, w, m, id);
        return;
    }
    Trace(w, KS_TRACE_TIMER, nullptr, G_MAXUINT, "middlebox_idle", nullptr, id);
    ks_net_mb_forget(mb, &s.last);
    MbReset(w, m, id);
}

/* True when the segment may pass the box. */
bool
MbPass(ks_ns3_world* w, guint m, guint32 id, bool syn)
{
    const ks_net_mb* mb = &w->net->mbs[m];
    MbState& s = w->mbs[m].st[id];
    guint v = ks_net_mb_pass(mb, &s.last, NowNs(), syn);
    if (mb->on_expiry == KS_EXPIRY_RST)
    {
        if (v & KS_MB_EXPIRED)
        {
            MbReset(w, m, id);
        }
        if (v & KS_MB_OPENED)
        {
            s.timer.Cancel();
            s.timer = Simulator::Schedule(NanoSeconds(mb->timeout), &MbTimer, w, m, id);
        }
    }
    return !(v & KS_MB_DROP);
}

/* A box's RST+ACK: the sender's SND.NXT and the receiver's, as a box that
 * tracks sequence numbers has seen them (the native engine's rule). */
void
InjectRst(ks_ns3_world* w, guint32 id, guint m, guint hop, bool towardClient)
{
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    const ks_net_hop& h = g.path->hops[hop];
    Link& l = w->links[h.link];
    SequenceNumber32 cs = c.sock[0] ? c.sock[0]->GetSndNxt() : SequenceNumber32(0);
    SequenceNumber32 ss = c.sock[1] ? c.sock[1]->GetSndNxt() : SequenceNumber32(0);
    TcpHeader th;
    th.SetFlags(TcpHeader::RST | TcpHeader::ACK);
    th.SetSequenceNumber(towardClient ? ss : cs);
    th.SetAckNumber(towardClient ? cs : ss);
    uint16_t cport = uint16_t(CLIENT_PORT_FIRST + id);
    th.SetSourcePort(towardClient ? SERVER_PORT : cport);
    th.SetDestinationPort(towardClient ? cport : SERVER_PORT);
    th.SetWindowSize(0);
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(th);
    Ipv4Header ip;
    ip.SetSource(g.addr[towardClient ? 1 : 0]);
    ip.SetDestination(g.addr[towardClient ? 0 : 1]);
    ip.SetProtocol(6);
    ip.SetPayloadSize(th.GetSerializedSize());
    ip.SetTtl(64);
    p->AddHeader(ip);
    p->AddPacketTag(SegTag(KS_SEG_RST, h.link));
    int dir = towardClient ? 1 - h.dir : h.dir;
    ks_segment seg{};
    seg.conn = id;
    seg.from_client = towardClient ? 0 : 1;
    seg.flags = KS_TCP_RST | KS_TCP_ACK;
    seg.kind = KS_SEG_RST;
    seg.seq = th.GetSequenceNumber().GetValue();
    seg.ack = th.GetAckNumber().GetValue();
    Trace(w,
          KS_TRACE_SEND,
          &seg,
          ks_net_link_entry(&w->net->links[h.link], dir),
          "middlebox",
          nullptr,
          m);
    l.dev[dir]->Send(p, l.dev[1 - dir]->GetAddress(), ETHERTYPE_IPV4);
}

/* --- Links: every fate is decided when a segment is put on a link. ---- */

void
OnMacTx(ks_ns3_world* w, guint li, int dir, Ptr<const Packet> p)
{
    ks_segment s;
    if (!ParseSegment(w, p, &s, nullptr))
    {
        return;
    }
    Link& l = w->links[li];
    const ks_net_link& nl = w->net->links[li];
    Conn& c = w->conns[s.conn];
    guint entry = ks_net_link_entry(&nl, dir);
    SegTag st;
    bool tagged = p->PeekPacketTag(st);
    bool injectedHere = tagged && st.m_link == li;
    if (!tagged)
    {
        /* Sent by its end host's TCP: classify once, for every hop. */
        s.kind = Classify(c, s, p);
        p->AddPacketTag(SegTag(s.kind));
        Trace(w, KS_TRACE_SEND, &s, entry, nullptr, nullptr, li);
    }
    if (nl.down[dir])
    {
        p->AddPacketTag(FateTag(FATE_LINK_DOWN));
        Trace(w, KS_TRACE_DROP, &s, entry, "link_down", nullptr, li);
        return;
    }
    if (!injectedHere)
    {
        for (guint m : l.mbs)
        {
            if (!MbPass(w, m, s.conn, (s.flags & KS_TCP_SYN) != 0))
            {
                p->AddPacketTag(FateTag(FATE_MIDDLEBOX));
                Trace(w, KS_TRACE_DROP, &s, entry, "middlebox", nullptr, m);
                return;
            }
        }
    }
    if (nl.loss > 0 &&
        (nl.loss >= 1 || ks_rng_double(w->rngKey, s.conn, KS_RNG_LOSS + c.lossDraws++) < nl.loss))
    {
        p->AddPacketTag(FateTag(FATE_LOSS));
        Trace(w, KS_TRACE_DROP, &s, entry, "loss", nullptr, li);
    }
}

void
OnMacRx(ks_ns3_world* w, guint host, Ptr<const Packet> p)
{
    ks_segment s;
    if (!ParseSegment(w, p, &s, nullptr))
    {
        return;
    }
    const Group& g = w->groups[w->conns[s.conn].group];
    if (host == g.path->host[s.from_client ? 1 : 0])
    {
        Trace(w, KS_TRACE_DELIVER, &s, host, nullptr, nullptr, 0);
    }
}

/* The receiving device's ErrorModel: drops what was marked on the way in,
 * and everything reaching a crashed host. */
class FateErrorModel : public ErrorModel
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("kasim::ns3engine::FateErrorModel")
                                .SetParent<ErrorModel>()
                                .SetGroupName("Kasim");
        return tid;
    }

    void Init(ks_ns3_world* w, guint host)
    {
        m_world = w;
        m_host = host;
    }

  private:
    bool DoCorrupt(Ptr<Packet> p) override
    {
        FateTag ft;
        if (p->PeekPacketTag(ft))
        {
            return true;
        }
        if (m_world->net->hosts[m_host].crashed)
        {
            ks_segment s;
            if (ParseSegment(m_world, p, &s, nullptr))
            {
                Trace(m_world, KS_TRACE_DROP, &s, m_host, "crashed", nullptr, m_host);
            }
            return true;
        }
        return false;
    }

    void DoReset() override
    {
    }

    ks_ns3_world* m_world = nullptr;
    guint m_host = 0;
};

/* --- Sockets and applications. ------------------------------------------ */

int
ApplyOpt(ka_sock* s, void* ud)
{
    auto* kv = static_cast<std::pair<const std::pair<std::string, std::string>*, GError**>*>(ud);
    return ks_sockopt_apply(s, kv->first->first.c_str(), kv->first->second.c_str(), kv->second)
               ? 0
               : KA_EINVAL;
}

int
EnableKeepAlive(ka_sock* s, void* ud)
{
    (void)ud;
    return ka_sock_set_int(s, KA_OPT_SO_KEEPALIVE, 1);
}

/* SO_KEEPALIVE, then the group's options in order (docs/scenarios.md). */
bool
ConfigureKeepAlive(const Group& g, Ptr<KeepAliveTcpSocket> s, GError** error)
{
    int rc = s->WithModelSocket(&EnableKeepAlive, nullptr);
    if (rc != 0)
    {
        g_set_error(error,
                    KS_NS3_ERROR,
                    KS_NS3_ERROR_FAILED,
                    "group %s: SO_KEEPALIVE refused: %s",
                    g.name.c_str(),
                    s->ErrorName(rc).c_str());
        return false;
    }
    for (const auto& kv : g.sockopts)
    {
        std::pair<const std::pair<std::string, std::string>*, GError**> ud{&kv, error};
        if (s->WithModelSocket(&ApplyOpt, &ud) != 0)
        {
            return false;
        }
    }
    return true;
}

/* Every segment acknowledged at once, and the profile's SYN retries
 * (ka_profile.h; ns-3's ConnCount counts the first SYN too, and doubles
 * ConnTimeout itself). */
void
ConfigureTcp(Ptr<KeepAliveTcpSocket> s)
{
    const ka_profile* p = s->GetProfile();
    s->SetAttribute("SegmentSize", UintegerValue(MSS));
    s->SetAttribute("DelAckCount", UintegerValue(1));
    s->SetAttribute("ConnTimeout", TimeValue(NanoSeconds(ka_profile_syn_timeout(p, 0))));
    s->SetAttribute("ConnCount", UintegerValue(ka_profile_syn_retries(p) + 1));
}

bool
Established(Ptr<KeepAliveTcpSocket> s)
{
    return s && s->IsKeepAliveTracking();
}

void
Write(ks_ns3_world* w, guint32 id, int side, uint64_t bytes)
{
    Conn& c = w->conns[id];
    while (bytes > 0)
    {
        uint32_t n = bytes > 65536 ? 65536 : uint32_t(bytes);
        if (c.sock[side]->Send(Create<Packet>(n), 0) < 0)
        {
            return;
        }
        c.tx[side] += n;
        bytes -= n;
    }
}

bool
ClientMayWrite(ks_ns3_world* w, guint32 id)
{
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    const ks_net_host& h = w->net->hosts[g.path->host[0]];
    return !h.crashed && !h.hung && NowNs() < g.stop && Established(c.sock[0]);
}

/* Tx buffer empty: everything written was acknowledged. */
bool
AllAcked(Ptr<KeepAliveTcpSocket> s)
{
    UintegerValue size;
    s->GetAttribute("SndBufSize", size);
    return s->GetTxAvailable() == size.Get();
}

void
AppTick(ks_ns3_world* w, guint32 id)
{
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    if (!ClientMayWrite(w, id))
    {
        return;
    }
    if (g.traffic == KS_TRAFFIC_PERIODIC)
    {
        if (g.req > 0)
        {
            Write(w, id, 0, g.req);
        }
        if (g.period > 0)
        {
            c.app = Simulator::Schedule(NanoSeconds(g.period), &AppTick, w, id);
        }
    }
    else if (g.traffic == KS_TRAFFIC_BULK && g.req > 0 && AllAcked(c.sock[0]))
    {
        Write(w, id, 0, g.req);
    }
}

void
OnSendSpace(ks_ns3_world* w, guint32 id, Ptr<Socket> s, uint32_t avail)
{
    (void)s;
    (void)avail;
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    if (g.traffic == KS_TRAFFIC_BULK && g.req > 0 && ClientMayWrite(w, id) && AllAcked(c.sock[0]))
    {
        Write(w, id, 0, g.req);
    }
}

void
OnRecv(ks_ns3_world* w, guint32 id, int side, Ptr<Socket> s)
{
    Conn& c = w->conns[id];
    Ptr<Packet> p;
    while ((p = s->Recv()) != nullptr)
    {
        c.rx[side] += p->GetSize();
    }
    const Group& g = w->groups[c.group];
    /* PERIODIC server: one response per complete request, unless hung. */
    if (side != 1 || g.traffic != KS_TRAFFIC_PERIODIC || g.req == 0 || g.resp == 0 ||
        w->net->hosts[g.path->host[1]].hung || w->net->hosts[g.path->host[1]].crashed)
    {
        return;
    }
    uint64_t requests = c.rx[1] / g.req, responses = c.tx[1] / g.resp;
    if (requests > responses)
    {
        Write(w, id, 1, (requests - responses) * g.resp);
    }
}

void
OnAction(ks_ns3_world* w, guint32 id, int side, const ka_action& a)
{
    const Group& g = w->groups[w->conns[id].group];
    const char* what = nullptr;
    switch (a.kind)
    {
    case KA_ACTION_PROBE:
        what = "keepalive";
        break;
    case KA_ACTION_RETRANSMIT:
        what = "retransmission";
        break;
    case KA_ACTION_GIVE_UP:
        what = a.reason == KA_CLOSE_RETRANSMISSION_TIMEOUT ? "retransmission" : "keepalive";
        break;
    case KA_ACTION_NONE:
        return;
    }
    Trace(w, KS_TRACE_TIMER, nullptr, g.path->host[side], what, nullptr, id);
}

void
OnErrorClose(ks_ns3_world* w, guint32 id, int side, Ptr<Socket> s)
{
    Ptr<KeepAliveTcpSocket> k = DynamicCast<KeepAliveTcpSocket>(s);
    const Group& g = w->groups[w->conns[id].group];
    if (k == nullptr || k->GetCloseReason() == KA_CLOSE_NONE)
    {
        return;
    }
    int err = k->GetPendingError();
    Trace(w,
          KS_TRACE_CLOSE,
          nullptr,
          g.path->host[side],
          ka_close_reason_name(k->GetCloseReason()),
          err != 0 ? ka_profile_errname(k->GetProfile(), err) : nullptr,
          id);
}

void
OnNormalClose(Ptr<Socket> s)
{
    (void)s;
}

void
Hook(ks_ns3_world* w, guint32 id, int side, Ptr<KeepAliveTcpSocket> s)
{
    s->SetRecvCallback(MakeBoundCallback(&OnRecv, w, id, side));
    s->SetCloseCallbacks(MakeCallback(&OnNormalClose),
                         MakeBoundCallback(&OnErrorClose, w, id, side));
    s->TraceConnectWithoutContext("KeepAliveAction", MakeBoundCallback(&OnAction, w, id, side));
    if (side == 0)
    {
        s->SetSendCallback(MakeBoundCallback(&OnSendSpace, w, id));
    }
}

void
OnConnected(ks_ns3_world* w, guint32 id, Ptr<Socket> s)
{
    (void)s;
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    if (g.traffic != KS_TRAFFIC_IDLE)
    {
        ka_time now = NowNs(), at = g.start > now ? g.start : now;
        c.app = Simulator::Schedule(NanoSeconds(at - now), &AppTick, w, id);
    }
}

void
OnConnectFailed(ks_ns3_world* w, guint32 id, Ptr<Socket> s)
{
    (void)s;
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    if (c.synFailedAt != KA_TIME_NEVER || c.sock[0]->GetCloseReason() != KA_CLOSE_NONE)
    {
        return; /* refused with an RST: already reported */
    }
    c.synFailedAt = NowNs();
    Trace(w,
          KS_TRACE_CLOSE,
          nullptr,
          g.path->host[0],
          ka_close_reason_name(KA_CLOSE_RETRANSMISSION_TIMEOUT),
          ka_profile_errname(w->net->hosts[g.path->host[0]].profile, KA_ETIMEDOUT),
          id);
}

void
Connect(ks_ns3_world* w, guint32 id)
{
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    const ks_net_host& nh = w->net->hosts[g.path->host[0]];
    if (nh.crashed || nh.hung)
    {
        return; /* the application never connects */
    }
    Host& h = w->hosts[g.path->host[0]];
    Ptr<KeepAliveTcpSocket> s = DynamicCast<KeepAliveTcpSocket>(h.factory->CreateSocket());
    ConfigureTcp(s);
    if (g.ka[0])
    {
        GError* e = nullptr;
        if (!ConfigureKeepAlive(g, s, &e))
        {
            /* Checked when the world was built: cannot happen. */
            g_warning("%s", e->message);
            g_error_free(e);
        }
    }
    c.sock[0] = s;
    Hook(w, id, 0, s);
    s->SetConnectCallback(MakeBoundCallback(&OnConnected, w, id),
                          MakeBoundCallback(&OnConnectFailed, w, id));
    s->Bind(InetSocketAddress(g.addr[0], uint16_t(CLIENT_PORT_FIRST + id)));
    s->Connect(InetSocketAddress(g.addr[1], SERVER_PORT));
}

bool
AcceptAll(Ptr<Socket> s, const Address& from)
{
    (void)s;
    (void)from;
    return true;
}

void
OnAccept(ks_ns3_world* w, Ptr<Socket> s, const Address& from)
{
    uint16_t port = InetSocketAddress::ConvertFrom(from).GetPort();
    if (port < CLIENT_PORT_FIRST || uint32_t(port - CLIENT_PORT_FIRST) >= w->conns.size())
    {
        return;
    }
    guint32 id = port - CLIENT_PORT_FIRST;
    Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    Ptr<KeepAliveTcpSocket> k = DynamicCast<KeepAliveTcpSocket>(s);
    c.sock[1] = k;
    Hook(w, id, 1, k);
    if (g.ka[1])
    {
        GError* e = nullptr;
        if (!ConfigureKeepAlive(g, k, &e))
        {
            g_warning("%s", e->message);
            g_error_free(e);
        }
    }
}

/* --- The timeline. ------------------------------------------------------ */

/* ks_net_hooks.reboot: the host's sockets forget their connections. */
void
Reboot(void* ud, guint host)
{
    auto* w = static_cast<ks_ns3_world*>(ud);
    for (guint32 id = 0; id < w->conns.size(); id++)
    {
        Conn& c = w->conns[id];
        const Group& g = w->groups[c.group];
        for (int side = 0; side < 2; side++)
        {
            Ptr<KeepAliveTcpSocket> s = c.sock[side];
            if (g.path->host[side] != host || s == nullptr || s->GetClosedAt() != Time::Max() ||
                (side == 0 && c.synFailedAt != KA_TIME_NEVER))
            {
                continue;
            }
            s->Forget();
            c.lostAt[side] = NowNs();
            Trace(w, KS_TRACE_CLOSE, nullptr, host, "host_rebooted", nullptr, id);
        }
    }
}

/* ks_net_hooks.crash: the host's sockets freeze. */
void
Crash(void* ud, guint host)
{
    auto* w = static_cast<ks_ns3_world*>(ud);
    Host& h = w->hosts[host];
    if (h.listener)
    {
        h.listener->Crash();
    }
    for (Conn& c : w->conns)
    {
        const Group& g = w->groups[c.group];
        for (int side = 0; side < 2; side++)
        {
            if (g.path->host[side] == host && c.sock[side])
            {
                c.sock[side]->Crash();
            }
        }
        if (g.path->host[0] == host)
        {
            c.app.Cancel();
        }
    }
}

/* ks_net_hooks.mb_rearm: the box's timeout changed. */
void
MbRearm(void* ud, guint m)
{
    auto* w = static_cast<ks_ns3_world*>(ud);
    ka_time timeout = w->net->mbs[m].timeout, now = NowNs();
    std::vector<MbState>& st = w->mbs[m].st;
    for (guint32 id = 0; id < st.size(); id++)
    {
        MbState& s = st[id];
        if (s.last >= 0)
        {
            ka_time due = s.last + timeout;
            s.timer.Cancel();
            s.timer =
                Simulator::Schedule(NanoSeconds(due > now ? due - now : 0), &MbTimer, w, m, id);
        }
    }
}

void
ApplyEvent(ks_ns3_world* w, guint i)
{
    static const ks_net_hooks hooks = {Crash, Reboot, MbRearm};
    ks_net_apply(w->net, &w->events[i], NowNs(), &hooks, w);
}

/* --- Building. ---------------------------------------------------------- */

Ptr<Ipv4StaticRouting>
StaticRouting(Ptr<Node> n)
{
    Ipv4StaticRoutingHelper helper;
    return helper.GetStaticRouting(n->GetObject<Ipv4>());
}

/* Host routes along the group's path, both ways. */
void
InstallRoutes(ks_ns3_world* w, Group& g)
{
    const ks_net_path* p = g.path;
    std::vector<guint> hostsOnPath{p->host[0]};
    for (guint k = 0; k < p->n_hops; k++)
    {
        hostsOnPath.push_back(ks_net_link_entry(&w->net->links[p->hops[k].link], !p->hops[k].dir));
    }
    const ks_net_hop& front = p->hops[0];
    const ks_net_hop& back = p->hops[p->n_hops - 1];
    g.addr[0] = w->links[front.link].addr[front.dir == 0 ? 0 : 1];
    g.addr[1] = w->links[back.link].addr[back.dir == 0 ? 1 : 0];
    for (guint k = 0; k < p->n_hops; k++)
    {
        const ks_net_hop& h = p->hops[k];
        const Link& l = w->links[h.link];
        int here = h.dir == 0 ? 0 : 1; /* our end of the link */
        Ptr<Node> n = w->hosts[hostsOnPath[k]].node;
        uint32_t itf = n->GetObject<Ipv4>()->GetInterfaceForDevice(l.dev[here]);
        StaticRouting(n)->AddHostRouteTo(g.addr[1], l.addr[1 - here], itf);
        Ptr<Node> m = w->hosts[hostsOnPath[k + 1]].node;
        uint32_t itf2 = m->GetObject<Ipv4>()->GetInterfaceForDevice(l.dev[1 - here]);
        StaticRouting(m)->AddHostRouteTo(g.addr[0], l.addr[here], itf2);
    }
}

/* As the native engine's make_cfg: the options on a fresh socket of the
 * host, so that a refusal is an error before anything runs. */
bool
CheckSockopts(const ks_scenario* sc, const ks_group_spec* gs, const Group& g, GError** error)
{
    for (int side = 0; side < 2; side++)
    {
        if (!g.ka[side])
        {
            continue;
        }
        guint host = side == 0 ? gs->client : gs->server;
        const ks_host_spec* hs = static_cast<const ks_host_spec*>(sc->hosts->pdata[host]);
        ka_sock* s = ka_sock_new(hs->params, KA_SOCK_STREAM, 0);
        bool ok = ka_sock_set_int(s, KA_OPT_SO_KEEPALIVE, 1) == 0;
        if (!ok)
        {
            g_set_error(error,
                        KS_NS3_ERROR,
                        KS_NS3_ERROR_FAILED,
                        "group %s: SO_KEEPALIVE refused on %s",
                        g.name.c_str(),
                        hs->name);
        }
        for (size_t i = 0; ok && i < g.sockopts.size(); i++)
        {
            GError* e = nullptr;
            if (!ks_sockopt_apply(s, g.sockopts[i].first.c_str(), g.sockopts[i].second.c_str(), &e))
            {
                g_set_error(error,
                            KS_NS3_ERROR,
                            KS_NS3_ERROR_FAILED,
                            "group %s on %s: %s",
                            g.name.c_str(),
                            hs->name,
                            e->message);
                g_error_free(e);
                ok = false;
            }
        }
        ka_sock_free(s);
        if (!ok)
        {
            return false;
        }
    }
    return true;
}

} // namespace

/* --- The C API. ------------------------------------------------------------ */

extern "C" {

gboolean
ks_ns3_available(const char** version)
{
    if (version != nullptr)
    {
        *version = KASIM_NS3_VERSION;
    }
    return TRUE;
}

gboolean
ks_ns3_check(const ks_scenario* sc, GError** error)
{
    guint64 total = 0;
    for (guint i = 0; i < sc->groups->len; i++)
    {
        total += static_cast<const ks_group_spec*>(sc->groups->pdata[i])->count;
    }
    if (total > KS_NS3_MAX_CONNS)
    {
        g_set_error(error,
                    KS_NS3_ERROR,
                    KS_NS3_ERROR_UNSUPPORTED,
                    "not supported on the ns3 engine: %" G_GUINT64_FORMAT
                    " connections (each is a pair of full ns-3 TCP sockets; at most %u; the "
                    "native engine runs millions)",
                    total,
                    KS_NS3_MAX_CONNS);
        return FALSE;
    }
    return TRUE;
}

ks_ns3_world*
ks_ns3_world_new(const ks_scenario* sc, guint64 seed, GError** error)
{
    g_return_val_if_fail(sc != nullptr, nullptr);
    if (!ks_ns3_check(sc, error))
    {
        return nullptr;
    }
    if (g_live != nullptr)
    {
        g_set_error(error,
                    KS_NS3_ERROR,
                    KS_NS3_ERROR_FAILED,
                    "an ns-3 simulation is already set up in this process");
        return nullptr;
    }
    auto* w = new ks_ns3_world();
    /* As the native engine: each connection's own random stream
     * (ks_rng.h), so the same seed gives the same connect times and the
     * same losses. */
    w->rngKey = ks_rng_key(seed);
    w->duration = sc->duration;
    g_live = w;
    w->net = ks_scenario_net_new(sc, seed, error);
    if (w->net == nullptr)
    {
        ks_ns3_world_free(w);
        return nullptr;
    }
    Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));

    /* Hosts. */
    w->nodes.Create(sc->hosts->len);
    InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    Ipv4StaticRoutingHelper staticRouting;
    stack.SetRoutingHelper(staticRouting);
    stack.Install(w->nodes);
    w->hosts.resize(sc->hosts->len);
    for (guint i = 0; i < sc->hosts->len; i++)
    {
        const ks_host_spec* hs = static_cast<const ks_host_spec*>(sc->hosts->pdata[i]);
        Host& h = w->hosts[i];
        h.node = w->nodes.Get(i);
        h.name = hs->name;
        h.factory = CreateObject<KeepAliveTcpSocketFactory>();
        h.factory->SetParams(hs->params);
        if (ka_profile_family(w->net->hosts[i].profile) == KA_FAMILY_LINUX)
        {
            /* The uptime both engines give the host (ks_scenario_net_new). */
            h.factory->SetParam("uptime=" + std::to_string(w->net->hosts[i].uptime / KA_NS_PER_MS));
        }
        h.node->AggregateObject(h.factory);
    }

    /* Links: a /30 each, 10.0.0.0 + 4 x index. */
    w->links.resize(sc->links->len);
    for (guint i = 0; i < sc->links->len; i++)
    {
        const ks_link_spec* ls = static_cast<const ks_link_spec*>(sc->links->pdata[i]);
        Link& l = w->links[i];
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute(
            "DataRate",
            DataRateValue(DataRate(ls->bandwidth_bps ? ls->bandwidth_bps : UNLIMITED_BPS)));
        p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds(ls->delay)));
        NetDeviceContainer d = p2p.Install(w->nodes.Get(ls->a), w->nodes.Get(ls->b));
        Ipv4AddressHelper addr;
        addr.SetBase(Ipv4Address(0x0A000000u + 4u * i), Ipv4Mask("255.255.255.252"));
        Ipv4InterfaceContainer ifs = addr.Assign(d);
        for (int e = 0; e < 2; e++)
        {
            l.dev[e] = DynamicCast<PointToPointNetDevice>(d.Get(e));
            l.addr[e] = ifs.GetAddress(e);
            Ptr<FateErrorModel> em = CreateObject<FateErrorModel>();
            em->Init(w, e == 0 ? ls->a : ls->b);
            l.dev[e]->SetReceiveErrorModel(em);
            l.dev[e]->TraceConnectWithoutContext("MacTx", MakeBoundCallback(&OnMacTx, w, i, e));
            l.dev[e]->TraceConnectWithoutContext(
                "MacRx",
                MakeBoundCallback(&OnMacRx, w, e == 0 ? ls->a : ls->b));
        }
    }

    /* Groups, paths, routes. */
    guint32 total = 0;
    w->groups.resize(sc->groups->len);
    for (guint gi = 0; gi < sc->groups->len; gi++)
    {
        const ks_group_spec* gs = static_cast<const ks_group_spec*>(sc->groups->pdata[gi]);
        Group& g = w->groups[gi];
        g.name = gs->name;
        g.path = &w->net->paths[gi];
        g.ka[0] = (gs->keepalive & KS_KEEPALIVE_CLIENT) != 0;
        g.ka[1] = (gs->keepalive & KS_KEEPALIVE_SERVER) != 0;
        for (guint i = 0; gs->sockopts != nullptr && i < gs->sockopts->len; i++)
        {
            const ks_sockopt_spec* o = &g_array_index(gs->sockopts, ks_sockopt_spec, i);
            g.sockopts.emplace_back(o->name, o->value);
        }
        g.traffic = gs->traffic;
        g.connectAt = gs->connect_at;
        g.spread = gs->connect_spread;
        g.period = gs->period;
        g.start = gs->traffic_start;
        g.stop = gs->traffic_stop;
        g.req = gs->request_bytes;
        g.resp = gs->response_bytes;
        g.first = total;
        g.count = gs->count;
        total += gs->count;
        if (!CheckSockopts(sc, gs, g, error))
        {
            ks_ns3_world_free(w);
            return nullptr;
        }
        InstallRoutes(w, g);
    }

    /* Middleboxes. */
    w->mbs.resize(sc->middleboxes ? sc->middleboxes->len : 0);
    for (guint m = 0; m < w->mbs.size(); m++)
    {
        w->mbs[m].st.resize(total);
        w->links[w->net->mbs[m].link].mbs.push_back(m);
    }

    /* Listeners: one per server host, port 443, any address. */
    for (Group& g : w->groups)
    {
        Host& h = w->hosts[g.path->host[1]];
        if (h.listener != nullptr)
        {
            continue;
        }
        h.listener = DynamicCast<KeepAliveTcpSocket>(h.factory->CreateSocket());
        ConfigureTcp(h.listener);
        h.listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), SERVER_PORT));
        h.listener->Listen();
        h.listener->SetAcceptCallback(MakeCallback(&AcceptAll), MakeBoundCallback(&OnAccept, w));
    }

    /* Connections: connect times as the native engine draws them. */
    w->conns.resize(total);
    for (guint gi = 0; gi < w->groups.size(); gi++)
    {
        const Group& g = w->groups[gi];
        for (guint32 i = 0; i < g.count; i++)
        {
            Conn& c = w->conns[g.first + i];
            c.group = gi;
            ka_time at = g.connectAt;
            if (g.spread > 0)
            {
                ka_time off = ka_time(ks_rng_double(w->rngKey, g.first + i, KS_RNG_SPREAD) *
                                      double(g.spread));
                at += off < g.spread ? off : g.spread - 1;
            }
            c.connectAt = at;
            Simulator::Schedule(NanoSeconds(at), &Connect, w, g.first + i);
        }
    }

    /* The timeline. */
    if (sc->events != nullptr)
    {
        for (guint i = 0; i < sc->events->len; i++)
        {
            w->events.push_back(g_array_index(sc->events, ks_event_spec, i));
            Simulator::Schedule(NanoSeconds(w->events.back().at), &ApplyEvent, w, i);
        }
    }
    return w;
}

void
ks_ns3_world_free(ks_ns3_world* w)
{
    if (w == nullptr)
    {
        return;
    }
    for (Mb& mb : w->mbs)
    {
        for (MbState& s : mb.st)
        {
            s.timer.Cancel();
        }
    }
    /* Our references go first, so that ns-3 frees everything while its
     * simulator still exists. */
    w->conns.clear();
    w->hosts.clear();
    w->links.clear();
    w->mbs.clear();
    w->nodes = NodeContainer();
    w->pcap = nullptr;
    Simulator::Destroy();
    ks_net_free(w->net);
    if (g_live == w)
    {
        g_live = nullptr;
    }
    delete w;
}

void
ks_ns3_world_set_trace(ks_ns3_world* w, ks_trace_fn fn, void* ud)
{
    w->net->trace = fn;
    w->net->trace_ud = ud;
}

gboolean
ks_ns3_world_set_pcap(ks_ns3_world* w, const char* path, GError** error)
{
    if (w->groups.empty())
    {
        g_set_error(error, KS_NS3_ERROR, KS_NS3_ERROR_FAILED, "no connection to capture");
        return FALSE;
    }
    const ks_net_hop& h = w->groups[0].path->hops[0];
    /* What PointToPointHelper::EnablePcap does, keeping the file. */
    PcapHelper pcapHelper;
    w->pcap = pcapHelper.CreateFile(path, std::ios::out, PcapHelper::DLT_PPP);
    pcapHelper.HookDefaultSink<PointToPointNetDevice>(w->links[h.link].dev[h.dir == 0 ? 0 : 1],
                                                      "PromiscSniffer",
                                                      w->pcap);
    return TRUE;
}

void
ks_ns3_world_run(ks_ns3_world* w)
{
    g_return_if_fail(!w->ran);
    w->ran = true;
    Simulator::Stop(NanoSeconds(w->duration));
    Simulator::Run();
    if (w->pcap != nullptr)
    {
        w->pcap->Close();
    }
}

guint32
ks_ns3_world_conn_count(const ks_ns3_world* w)
{
    return guint32(w->conns.size());
}

ka_time
ks_ns3_world_now(const ks_ns3_world* w)
{
    (void)w;
    return NowNs();
}

guint64
ks_ns3_world_events(const ks_ns3_world* w)
{
    (void)w;
    return Simulator::GetEventCount();
}

void
ks_ns3_world_conn_result(const ks_ns3_world* w, guint32 id, ks_conn_result* out)
{
    g_return_if_fail(id < w->conns.size() && out != nullptr);
    const Conn& c = w->conns[id];
    const Group& g = w->groups[c.group];
    int side = g.path->result_side;
    *out = ks_conn_result{};
    out->id = id;
    out->group = c.group;
    out->client_side = side == 0;
    out->closed_at = KA_TIME_NEVER;
    out->reason = KA_CLOSE_NONE;
    out->last_rx = KA_TIME_NEVER;
    out->middleboxes = g.path->n_mb;
    Ptr<KeepAliveTcpSocket> s = c.sock[side];
    if (s != nullptr)
    {
        out->probes_sent = s->GetProbesSent();
        out->probes_answered = s->GetProbesAnswered();
        if (s->GetClosedAt() != Time::Max())
        {
            out->closed_at = s->GetClosedAt().GetNanoSeconds();
            out->reason = s->GetCloseReason();
            out->error = s->GetPendingError() != 0
                             ? ka_profile_errname(s->GetProfile(), s->GetPendingError())
                             : nullptr;
        }
        if (s->GetLastRx() != Time::Max())
        {
            out->last_rx = s->GetLastRx().GetNanoSeconds();
        }
    }
    if (side == 0 && c.synFailedAt != KA_TIME_NEVER)
    {
        out->closed_at = c.synFailedAt;
        out->reason = KA_CLOSE_RETRANSMISSION_TIMEOUT;
        out->error = ka_profile_errname(w->net->hosts[g.path->host[0]].profile, KA_ETIMEDOUT);
    }

    /* failure_at, recovered, false_giveup: the facts this engine keeps,
     * judged by the rule both engines share (ks_failure.h). */
    ka_time now = NowNs();
    ka_time mbLost = KA_TIME_NEVER;
    for (guint k = 0; k < g.path->n_hops; k++)
    {
        for (guint m : w->links[g.path->hops[k].link].mbs)
        {
            mbLost =
                std::min(mbLost,
                         ks_failure_mb_lost_at(w->mbs[m].st[id].last, w->net->mbs[m].timeout, now));
        }
    }
    ks_failure_judge(g.path->failures, g.connectAt, c.lostAt[1 - side], mbLost, now, out);
}

} /* extern "C" */
