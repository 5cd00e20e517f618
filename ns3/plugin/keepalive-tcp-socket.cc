/* keepalive-tcp-socket.cc - TCP keep-alive for ns-3 through kasim's model.
 * See include/kasim/ns3/keepalive-tcp-socket.h and docs/ns3.md.
 *
 * The model (ka_conn) is told what happens, in ns-3's virtual time in
 * nanoseconds: establishment, every acceptable segment received, new data
 * sent, data acknowledged, an RST.  One ns-3 event per socket waits for
 * ka_conn_poll_at(); when it fires, ka_conn_poll() says what to do.
 */
#include "kasim/ns3/keepalive-tcp-socket.h"

#include <ns3/abort.h>
#include <ns3/boolean.h>
#include <ns3/ipv4-end-point.h>
#include <ns3/ipv6-end-point.h>
#include <ns3/log.h>
#include <ns3/node.h>
#include <ns3/object-factory.h>
#include <ns3/rtt-estimator.h>
#include <ns3/simulator.h>
#include <ns3/string.h>
#include <ns3/tcp-congestion-ops.h>
#include <ns3/tcp-header.h>
#include <ns3/tcp-l4-protocol.h>
#include <ns3/tcp-option.h>
#include <ns3/tcp-recovery-ops.h>
#include <ns3/tcp-rx-buffer.h>
#include <ns3/tcp-tx-buffer.h>
#include <ns3/trace-source-accessor.h>
#include <ns3/type-id.h>
#include <ns3/uinteger.h>

#include <limits>

namespace kasim
{

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("KasimKeepAliveTcpSocket");

/* --- KeepAliveTag --------------------------------------------------------- */

NS_OBJECT_ENSURE_REGISTERED(KeepAliveTag);

KeepAliveTag::KeepAliveTag(Kind kind)
    : m_kind(kind)
{
}

TypeId
KeepAliveTag::GetTypeId()
{
    static TypeId tid = TypeId("kasim::KeepAliveTag")
                            .SetParent<Tag>()
                            .SetGroupName("Kasim")
                            .AddConstructor<KeepAliveTag>();
    return tid;
}

TypeId
KeepAliveTag::GetInstanceTypeId() const
{
    return GetTypeId();
}

uint32_t
KeepAliveTag::GetSerializedSize() const
{
    return 1;
}

void
KeepAliveTag::Serialize(TagBuffer i) const
{
    i.WriteU8(m_kind);
}

void
KeepAliveTag::Deserialize(TagBuffer i)
{
    m_kind = static_cast<Kind>(i.ReadU8());
}

void
KeepAliveTag::Print(std::ostream& os) const
{
    os << (m_kind == PROBE ? "keepalive" : "keepalive_ack");
}

KeepAliveTag::Kind
KeepAliveTag::GetKind() const
{
    return m_kind;
}

/* --- KeepAliveTcpSocket --------------------------------------------------- */

NS_OBJECT_ENSURE_REGISTERED(KeepAliveTcpSocket);

TypeId
KeepAliveTcpSocket::GetTypeId()
{
    static TypeId tid =
        TypeId("kasim::KeepAliveTcpSocket")
            .SetParent<TcpSocketBase>()
            .SetGroupName("Kasim")
            .AddConstructor<KeepAliveTcpSocket>()
            .AddAttribute("AnswerZeroLengthProbes",
                          "Answer a zero-length keep-alive probe with an ACK, as every real "
                          "stack does (stock ns-3.37 answers only one-octet probes)",
                          BooleanValue(true),
                          MakeBooleanAccessor(&KeepAliveTcpSocket::m_answerZeroProbes),
                          MakeBooleanChecker())
            .AddAttribute("ResetInListen",
                          "A listening socket answers an ACK-bearing segment with "
                          "<SEQ=SEG.ACK><RST> (RFC 9293 3.10.7.2); stock ns-3.37 ignores it",
                          BooleanValue(true),
                          MakeBooleanAccessor(&KeepAliveTcpSocket::m_resetInListen),
                          MakeBooleanChecker())
            .AddTraceSource("KeepAliveAction",
                            "What the model decided: a probe, a retransmission (counted; "
                            "ns-3 sends it), or giving up",
                            MakeTraceSourceAccessor(&KeepAliveTcpSocket::m_actionTrace),
                            "kasim::KeepAliveTcpSocket::ActionTracedCallback");
    return tid;
}

TypeId
KeepAliveTcpSocket::GetInstanceTypeId() const
{
    return GetTypeId();
}

KeepAliveTcpSocket::KeepAliveTcpSocket() = default;

/* Fork(): an accepted socket inherits the listener's keep-alive options
 * (Wine test_accept_inheritance; sk_clone on Linux, facts §1). */
KeepAliveTcpSocket::KeepAliveTcpSocket(const KeepAliveTcpSocket& sock)
    : TcpSocketBase(sock),
      m_host(sock.m_host),
      m_sock(sock.m_sock != nullptr ? ka_sock_accept(sock.m_sock) : nullptr),
      m_answerZeroProbes(sock.m_answerZeroProbes),
      m_resetInListen(sock.m_resetInListen)
{
}

KeepAliveTcpSocket::~KeepAliveTcpSocket()
{
    /* Not m_kaEvent.Cancel(): that asks the simulator, which may be gone
     * (Simulator::Destroy) and would be made again.  The flag is enough. */
    if (m_kaEvent.PeekEventImpl() != nullptr)
    {
        m_kaEvent.PeekEventImpl()->Cancel();
    }
    ka_sock_free(m_sock);
}

void
KeepAliveTcpSocket::DoDispose()
{
    m_kaEvent.Cancel();
    m_tracking = false;
    TcpSocketBase::DoDispose();
}

void
KeepAliveTcpSocket::SetHost(Ptr<KeepAliveTcpSocketFactory> host)
{
    NS_ABORT_MSG_IF(m_sock != nullptr, "KeepAliveTcpSocket::SetHost called twice");
    m_host = host;
    m_sock = ka_sock_new(host->GetParams(), KA_SOCK_STREAM, 0);
}

Ptr<TcpSocketBase>
KeepAliveTcpSocket::Fork()
{
    return CopyObject<KeepAliveTcpSocket>(this);
}

ka_time
KeepAliveTcpSocket::Now() const
{
    return Simulator::Now().GetNanoSeconds();
}

/* --- The option API. ----------------------------------------------------- */

int
KeepAliveTcpSocket::SetSockOpt(int level, int optname, const void* optval, int optlen)
{
    int rc = ka_sock_setsockopt(m_sock, level, optname, optval, optlen);
    if (rc == 0)
    {
        ApplyCfg();
    }
    return rc;
}

int
KeepAliveTcpSocket::GetSockOpt(int level, int optname, void* optval, int* optlen) const
{
    return ka_sock_getsockopt(m_sock, level, optname, optval, optlen);
}

int
KeepAliveTcpSocket::WsaIoctl(uint32_t code,
                             const void* in,
                             uint32_t inLen,
                             void* out,
                             uint32_t outLen,
                             uint32_t* bytesReturned)
{
    int rc = ka_sock_wsaioctl(m_sock, code, in, inLen, out, outLen, bytesReturned);
    if (rc == 0)
    {
        ApplyCfg();
    }
    return rc;
}

int
KeepAliveTcpSocket::SetKeepAliveOption(ka_opt opt, int value)
{
    if (m_sock == nullptr)
    {
        return KA_ENOTSOCK;
    }
    int rc = ka_sock_set_int(m_sock, opt, value);
    if (rc == 0)
    {
        ApplyCfg();
    }
    return rc;
}

int
KeepAliveTcpSocket::WithModelSocket(int (*fn)(ka_sock*, void*), void* ud)
{
    if (m_sock == nullptr)
    {
        return KA_ENOTSOCK;
    }
    int rc = fn(m_sock, ud);
    if (rc == 0)
    {
        ApplyCfg();
    }
    return rc;
}

const ka_profile*
KeepAliveTcpSocket::GetProfile() const
{
    return m_sock != nullptr ? ka_sock_profile(m_sock) : nullptr;
}

std::string
KeepAliveTcpSocket::ErrorName(int err) const
{
    const ka_profile* p = GetProfile();
    return p != nullptr && err != 0 ? ka_profile_errname(p, err) : "";
}

int
KeepAliveTcpSocket::ErrorNumber(int err) const
{
    const ka_profile* p = GetProfile();
    return p != nullptr && err != 0 ? ka_profile_errnum(p, err) : 0;
}

/* The socket's options changed: a live connection takes the new settings
 * as Linux's setsockopt does (ka_conn_set_cfg).  Two buffers, because
 * ka_conn_set_cfg compares the old settings with the new. */
void
KeepAliveTcpSocket::ApplyCfg()
{
    if (m_sock == nullptr || !m_tracking)
    {
        return;
    }
    unsigned next = m_cfgIdx ^ 1u;
    ka_sock_cfg(m_sock, &m_cfgs[next]);
    ka_conn_set_cfg(&m_conn, &m_cfgs[next], Now());
    m_cfgIdx = next;
    Rearm();
}

/* --- Results. ------------------------------------------------------------ */

ka_close_reason
KeepAliveTcpSocket::GetCloseReason() const
{
    return m_reason;
}

int
KeepAliveTcpSocket::GetPendingError() const
{
    return m_errPending;
}

int
KeepAliveTcpSocket::GetLaterError() const
{
    return m_errLater;
}

Time
KeepAliveTcpSocket::GetClosedAt() const
{
    return m_closedAt == KA_TIME_NEVER ? Time::Max() : NanoSeconds(m_closedAt);
}

uint32_t
KeepAliveTcpSocket::GetProbesSent() const
{
    return m_probesSent;
}

uint32_t
KeepAliveTcpSocket::GetProbesAnswered() const
{
    return m_probesAnswered;
}

Time
KeepAliveTcpSocket::GetLastRx() const
{
    if (!m_everTracked)
    {
        return Time::Max();
    }
    return NanoSeconds(ka_conn_last_rx(&m_conn));
}

bool
KeepAliveTcpSocket::IsKeepAliveTracking() const
{
    return m_tracking;
}

/* SND.NXT as RFC 9293 means it: the next new sequence number, counting a
 * FIN once it was sent (ns-3's highTxMark leaves the FIN out). */
SequenceNumber32
KeepAliveTcpSocket::GetSndNxt() const
{
    SequenceNumber32 s = m_tcb->m_highTxMark;
    if (m_state == FIN_WAIT_1 || m_state == FIN_WAIT_2 || m_state == CLOSING ||
        m_state == LAST_ACK || m_state == TIME_WAIT)
    {
        ++s;
    }
    return s;
}

SequenceNumber32
KeepAliveTcpSocket::GetRcvNxt() const
{
    return m_tcb->m_rxBuffer->NextRxSequence();
}

/* --- Life cycle. --------------------------------------------------------- */

int
KeepAliveTcpSocket::Connect(const Address& address)
{
    int rc = TcpSocketBase::Connect(address);
    if (rc == 0 && m_sock != nullptr)
    {
        ka_sock_set_state(m_sock, KA_SOCK_STATE_CONNECTING);
    }
    return rc;
}

int
KeepAliveTcpSocket::Listen()
{
    int rc = TcpSocketBase::Listen();
    if (rc == 0 && m_sock != nullptr)
    {
        ka_sock_set_state(m_sock, KA_SOCK_STATE_LISTENING);
    }
    return rc;
}

void
KeepAliveTcpSocket::Established()
{
    if (m_sock == nullptr)
    {
        return; /* not made by the factory: a plain TcpSocketBase */
    }
    ka_sock_set_state(m_sock, KA_SOCK_STATE_CONNECTED);
    ka_sock_cfg(m_sock, &m_cfgs[m_cfgIdx]);
    ka_conn_init(&m_conn, &m_rtx, &m_cfgs[m_cfgIdx], Now());
    m_tracking = true;
    m_everTracked = true;
    Rearm();
}

void
KeepAliveTcpSocket::Rearm()
{
    if (!m_tracking || m_crashed || ka_conn_is_closed(&m_conn))
    {
        m_kaEvent.Cancel();
        m_kaAt = KA_TIME_NEVER;
        return;
    }
    ka_time at = ka_conn_poll_at(&m_conn, &m_rtx);
    if (at == m_kaAt && m_kaEvent.IsRunning())
    {
        return;
    }
    m_kaEvent.Cancel();
    m_kaAt = at;
    if (at == KA_TIME_NEVER)
    {
        return;
    }
    ka_time now = Now();
    m_kaEvent = Simulator::Schedule(NanoSeconds(at > now ? at - now : 0),
                                    &KeepAliveTcpSocket::OnTimer,
                                    this);
}

void
KeepAliveTcpSocket::OnTimer()
{
    m_kaAt = KA_TIME_NEVER;
    if (!m_tracking || m_crashed)
    {
        return;
    }
    if ((m_endPoint == nullptr && m_endPoint6 == nullptr) || m_state == CLOSED ||
        m_state == TIME_WAIT)
    {
        m_tracking = false; /* closed by ns-3 itself (FIN exchange) */
        return;
    }
    Ptr<KeepAliveTcpSocket> self(this); /* an error close may drop the last reference */
    ka_time now = Now();
    while (ka_conn_poll_at(&m_conn, &m_rtx) <= now)
    {
        ka_action a;
        if (!ka_conn_poll(&m_conn, &m_rtx, now, &a))
        {
            if (ka_conn_poll_at(&m_conn, &m_rtx) <= now)
            {
                break; /* cannot happen with ka_conn as documented; never spin */
            }
            continue;
        }
        m_actionTrace(a);
        switch (a.kind)
        {
        case KA_ACTION_PROBE:
            m_probesSent++;
            SendProbe(a);
            break;
        case KA_ACTION_RETRANSMIT:
            /* ns-3's own retransmission timer sends it; the model counts
             * and decides when to give up. */
            break;
        case KA_ACTION_GIVE_UP:
            GiveUp(a);
            return;
        case KA_ACTION_NONE:
            break;
        }
    }
    Rearm();
}

ka_time
KeepAliveTcpSocket::CurrentRto() const
{
    return m_rto.Get().GetNanoSeconds();
}

/* --- What goes on the wire. --------------------------------------------- */

/* A segment built as TcpSocketBase::SendEmptyPacket builds one, with the
 * options in use (timestamps), but with our own sequence number and
 * payload and none of its side effects on the RTO or the delayed ACK. */
void
KeepAliveTcpSocket::Emit(Ptr<Packet> p, TcpHeader& h)
{
    if (m_endPoint != nullptr)
    {
        h.SetSourcePort(m_endPoint->GetLocalPort());
        h.SetDestinationPort(m_endPoint->GetPeerPort());
    }
    else
    {
        h.SetSourcePort(m_endPoint6->GetLocalPort());
        h.SetDestinationPort(m_endPoint6->GetPeerPort());
    }
    h.SetWindowSize(AdvertisedWindowSize());
    AddOptions(h);
    m_txTrace(p, h, this);
    if (m_endPoint != nullptr)
    {
        m_tcp->SendPacket(p,
                          h,
                          m_endPoint->GetLocalAddress(),
                          m_endPoint->GetPeerAddress(),
                          m_boundnetdevice);
    }
    else
    {
        m_tcp->SendPacket(p,
                          h,
                          m_endPoint6->GetLocalAddress(),
                          m_endPoint6->GetPeerAddress(),
                          m_boundnetdevice);
    }
}

/* RFC 1122 4.2.3.6: <SEQ=SND.NXT-1><ACK=RCV.NXT><ACK>, with no data or one
 * garbage octet (0x00: Windows, facts §6). */
void
KeepAliveTcpSocket::SendProbe(const ka_action& a)
{
    if (m_endPoint == nullptr && m_endPoint6 == nullptr)
    {
        return;
    }
    Ptr<Packet> p = Create<Packet>(a.payload); /* zero-filled */
    AddSocketTags(p);
    p->AddPacketTag(KeepAliveTag(KeepAliveTag::PROBE));
    TcpHeader h;
    h.SetFlags(TcpHeader::ACK);
    h.SetSequenceNumber(GetSndNxt() + a.seq_offset);
    h.SetAckNumber(m_tcb->m_rxBuffer->NextRxSequence());
    Emit(p, h);
}

/* RFC 9293 3.10.7.4: an unacceptable segment (a probe is one) is answered
 * with <SEQ=SND.NXT><ACK=RCV.NXT><ACK>. */
void
KeepAliveTcpSocket::SendKeepAliveAck()
{
    if (m_endPoint == nullptr && m_endPoint6 == nullptr)
    {
        return;
    }
    Ptr<Packet> p = Create<Packet>();
    AddSocketTags(p);
    p->AddPacketTag(KeepAliveTag(KeepAliveTag::PROBE_ACK));
    TcpHeader h;
    h.SetFlags(TcpHeader::ACK);
    h.SetSequenceNumber(GetSndNxt());
    h.SetAckNumber(m_tcb->m_rxBuffer->NextRxSequence());
    Emit(p, h);
}

/* The model gave up: maybe an RST+ACK <SEQ=SND.NXT> (facts §3), then the
 * socket is closed and the application told through the error-close
 * callback. */
void
KeepAliveTcpSocket::GiveUp(const ka_action& a)
{
    Ptr<KeepAliveTcpSocket> self(this);
    m_reason = a.reason;
    m_errPending = a.err_pending;
    m_errLater = a.err_later;
    m_closedAt = Now();
    m_tracking = false;
    m_kaEvent.Cancel();
    ka_sock_set_state(m_sock,
                      a.reason == KA_CLOSE_RESET_BY_PEER ? KA_SOCK_STATE_RESET
                                                         : KA_SOCK_STATE_TIMED_OUT);
    if (a.send_rst && (m_endPoint != nullptr || m_endPoint6 != nullptr))
    {
        Ptr<Packet> p = Create<Packet>();
        AddSocketTags(p);
        TcpHeader h;
        h.SetFlags(TcpHeader::RST | TcpHeader::ACK);
        h.SetSequenceNumber(GetSndNxt());
        h.SetAckNumber(m_tcb->m_rxBuffer->NextRxSequence());
        Emit(p, h);
    }
    CancelAllTimers();
    m_state = CLOSED;
    m_closeNotified = true;
    DeallocateEndPoint();
    NotifyErrorClose();
}

/* RFC 9293 3.10.7.2: in LISTEN, "any acknowledgment is bad ... form a
 * reset <SEQ=SEG.ACK><CTL=RST>". */
void
KeepAliveTcpSocket::ListenReset(const TcpHeader& in,
                                const Address& fromAddress,
                                const Address& toAddress)
{
    Ptr<Packet> p = Create<Packet>();
    TcpHeader h;
    h.SetFlags(TcpHeader::RST);
    h.SetSequenceNumber(in.GetAckNumber());
    h.SetAckNumber(SequenceNumber32(0));
    h.SetSourcePort(in.GetDestinationPort());
    h.SetDestinationPort(in.GetSourcePort());
    h.SetWindowSize(0);
    m_txTrace(p, h, this);
    m_tcp->SendPacket(p, h, toAddress, fromAddress, m_boundnetdevice);
}

/* --- What arrives. ------------------------------------------------------- */

static bool
Synchronized(TcpSocket::TcpStates_t s)
{
    return s == TcpSocket::ESTABLISHED || s == TcpSocket::CLOSE_WAIT ||
           s == TcpSocket::FIN_WAIT_1 || s == TcpSocket::FIN_WAIT_2 || s == TcpSocket::CLOSING ||
           s == TcpSocket::LAST_ACK;
}

void
KeepAliveTcpSocket::DoForwardUp(Ptr<Packet> packet,
                                const Address& fromAddress,
                                const Address& toAddress)
{
    if (m_crashed)
    {
        return;
    }
    Ptr<KeepAliveTcpSocket> self(this); /* ns-3 may deallocate us on the way */
    TcpHeader h;
    packet->PeekHeader(h);
    uint8_t flags =
        h.GetFlags() & ~(TcpHeader::PSH | TcpHeader::URG | TcpHeader::CWR | TcpHeader::ECE);
    TcpStates_t before = m_state;
    SequenceNumber32 rcvNxt = m_tcb->m_rxBuffer->NextRxSequence();

    if ((flags & TcpHeader::RST) && m_sock != nullptr)
    {
        /* RFC 5961 3.2 (without the challenge ACK): only an RST at exactly
         * RCV.NXT resets a synchronized connection; in SYN-SENT only one
         * acknowledging our SYN (RFC 9293 3.10.7.3).  Stock ns-3 accepts
         * any RST, and closes "normally". */
        bool ok;
        if (Synchronized(before))
        {
            ok = h.GetSequenceNumber() == rcvNxt;
        }
        else if (before == SYN_SENT)
        {
            ok = (flags & TcpHeader::ACK) &&
                 h.GetAckNumber() == m_tcb->m_nextTxSequence + SequenceNumber32(1);
        }
        else
        {
            TcpSocketBase::DoForwardUp(packet, fromAddress, toAddress);
            return;
        }
        if (!ok)
        {
            return;
        }
        if (!m_tracking)
        {
            /* As the native engine's close_ep: the model's state is made
             * so that it can report the reset. */
            ka_sock_cfg(m_sock, &m_cfgs[m_cfgIdx]);
            ka_conn_init(&m_conn, &m_rtx, &m_cfgs[m_cfgIdx], Now());
        }
        ka_action a;
        ka_conn_on_rst(&m_conn, &m_rtx, Now(), &a);
        m_tracking = false;
        m_kaEvent.Cancel();
        m_reason = KA_CLOSE_RESET_BY_PEER;
        m_errPending = a.err_pending;
        m_errLater = a.err_later;
        m_closedAt = Now();
        ka_sock_set_state(m_sock, KA_SOCK_STATE_RESET);
        m_closeNotified = true; /* ns-3 would call it a normal close */
        TcpSocketBase::DoForwardUp(packet, fromAddress, toAddress);
        if (m_state != CLOSED)
        {
            CancelAllTimers();
            m_state = CLOSED;
            DeallocateEndPoint();
        }
        NotifyErrorClose();
        return;
    }

    if (before == LISTEN && m_resetInListen && (flags & TcpHeader::ACK) &&
        !(flags & (TcpHeader::SYN | TcpHeader::RST)))
    {
        ListenReset(h, fromAddress, toAddress);
        return;
    }

    bool watched = m_tracking;
    bool probe = false, acceptable = false, answer = false;
    uint32_t len = packet->GetSize() - h.GetSerializedSize();
    if (watched)
    {
        /* ns-3 silently drops an ACK without the timestamp option once
         * timestamps were negotiated (RFC 7323): not a receive. */
        bool tsDrop = m_timestampEnabled && (flags & TcpHeader::ACK) && !(flags & TcpHeader::SYN) &&
                      !h.HasOption(TcpOption::TS);
        SequenceNumber32 seq = h.GetSequenceNumber();
        probe = !tsDrop && flags == TcpHeader::ACK &&
                ka_conn_seg_is_probe(seq.GetValue(), len, rcvNxt.GetValue());
        if (!tsDrop && !probe)
        {
            SequenceNumber32 maxRx = m_tcb->m_rxBuffer->MaxRxSequence();
            uint32_t wnd = maxRx > rcvNxt ? static_cast<uint32_t>(maxRx - rcvNxt) : 0;
            acceptable = ka_conn_seg_acceptable(seq.GetValue(), len, rcvNxt.GetValue(), wnd);
        }
        answer = acceptable && len == 0 && seq == rcvNxt && (flags & TcpHeader::ACK) &&
                 ka_conn_probes_out(&m_conn) > 0 && h.GetAckNumber() == GetSndNxt();
    }

    TcpSocketBase::DoForwardUp(packet, fromAddress, toAddress);

    if (watched && probe && len == 0 && m_answerZeroProbes && Synchronized(m_state))
    {
        SendKeepAliveAck(); /* ns-3 answers a one-octet probe itself */
    }
    if (watched && acceptable && m_tracking)
    {
        if (answer)
        {
            m_probesAnswered++;
        }
        ka_conn_on_receive(&m_conn, Now());
    }
    if (!watched && before != ESTABLISHED && m_state == ESTABLISHED)
    {
        Established();
        /* The ACK that completed the handshake may be a probe: the peer's
         * side was established when our SYN-ACK reached it, and its ACK
         * was lost (RFC 9293 3.10.7.4 then applies to this very segment).
         * A one-octet probe was answered by ns-3 as duplicate data. */
        if (before == SYN_RCVD && flags == TcpHeader::ACK && len == 0 &&
            h.GetSequenceNumber() + SequenceNumber32(1) == m_tcb->m_rxBuffer->NextRxSequence() &&
            m_answerZeroProbes)
        {
            SendKeepAliveAck();
        }
    }
    if (m_tracking && (m_state == CLOSED || m_state == TIME_WAIT))
    {
        m_tracking = false; /* a normal close */
    }
    Rearm();
}

uint32_t
KeepAliveTcpSocket::SendDataPacket(SequenceNumber32 seq, uint32_t maxSize, bool withAck)
{
    uint32_t sz = TcpSocketBase::SendDataPacket(seq, maxSize, withAck);
    if (m_tracking && sz > 0)
    {
        /* Ignored by the model while data is already outstanding. */
        ka_conn_on_send(&m_conn, &m_rtx, Now(), CurrentRto());
        Rearm();
    }
    return sz;
}

void
KeepAliveTcpSocket::ReceivedAck(Ptr<Packet> packet, const TcpHeader& tcpHeader)
{
    SequenceNumber32 head = m_txBuffer->HeadSequence();
    TcpSocketBase::ReceivedAck(packet, tcpHeader);
    if (m_tracking && m_txBuffer->HeadSequence() > head)
    {
        bool all = m_txBuffer->HeadSequence() >= m_tcb->m_highTxMark.Get();
        ka_conn_on_ack(&m_conn, &m_rtx, Now(), all, CurrentRto());
    }
}

/* --- Host failures. ------------------------------------------------------ */

void
KeepAliveTcpSocket::Crash()
{
    m_crashed = true;
    m_tracking = false;
    m_kaEvent.Cancel();
    CancelAllTimers();
}

void
KeepAliveTcpSocket::Forget()
{
    Ptr<KeepAliveTcpSocket> self(this);
    if (m_closedAt == KA_TIME_NEVER)
    {
        m_closedAt = Now();
    }
    m_tracking = false;
    m_kaEvent.Cancel();
    CancelAllTimers();
    m_state = CLOSED;
    m_closeNotified = true; /* its application died with the host */
    DeallocateEndPoint();
}

/* --- KeepAliveTcpSocketFactory -------------------------------------------- */

NS_OBJECT_ENSURE_REGISTERED(KeepAliveTcpSocketFactory);

TypeId
KeepAliveTcpSocketFactory::GetTypeId()
{
    static TypeId tid =
        TypeId("kasim::KeepAliveTcpSocketFactory")
            .SetParent<SocketFactory>()
            .SetGroupName("Kasim")
            .AddConstructor<KeepAliveTcpSocketFactory>()
            .AddAttribute("Profile",
                          "The modelled OS (kasim profiles lists them); setting it resets "
                          "the host's tunables to that OS's defaults",
                          StringValue("linux"),
                          MakeStringAccessor(&KeepAliveTcpSocketFactory::SetProfileAttribute,
                                             &KeepAliveTcpSocketFactory::GetProfileAttribute),
                          MakeStringChecker());
    return tid;
}

KeepAliveTcpSocketFactory::KeepAliveTcpSocketFactory()
    : m_params(ka_params_new(ka_profile_get(KA_PROFILE_LINUX)))
{
}

KeepAliveTcpSocketFactory::~KeepAliveTcpSocketFactory()
{
    /* Sockets hold a reference to their factory: none is left. */
    ka_params_free(m_params);
}

Ptr<KeepAliveTcpSocketFactory>
KeepAliveTcpSocketFactory::Install(Ptr<Node> node, const std::string& profile)
{
    NS_ABORT_MSG_IF(node->GetObject<TcpL4Protocol>() == nullptr,
                    "KeepAliveTcpSocketFactory::Install: the node has no TCP (install an "
                    "internet stack first)");
    Ptr<KeepAliveTcpSocketFactory> f = CreateObject<KeepAliveTcpSocketFactory>();
    NS_ABORT_MSG_IF(!f->SetProfile(profile),
                    "KeepAliveTcpSocketFactory::Install: unknown profile '"
                        << profile << "' (profiles: " << ka_profile_names() << ")");
    node->AggregateObject(f);
    return f;
}

bool
KeepAliveTcpSocketFactory::SetProfile(const std::string& name)
{
    const ka_profile* p = ka_profile_find(name.c_str());
    if (p == nullptr)
    {
        return false;
    }
    /* In place: sockets borrow the parameter set. */
    ka_params* fresh = ka_params_new(p);
    if (ka_params_profile(m_params) == p)
    {
        ka_params_assign(m_params, fresh);
        ka_params_free(fresh);
    }
    else
    {
        ka_params_free(m_params);
        m_params = fresh;
    }
    return true;
}

void
KeepAliveTcpSocketFactory::SetProfileAttribute(std::string name)
{
    NS_ABORT_MSG_IF(!SetProfile(name),
                    "unknown kasim profile '" << name << "' (profiles: " << ka_profile_names()
                                              << ")");
}

std::string
KeepAliveTcpSocketFactory::GetProfileAttribute() const
{
    return ka_profile_name(ka_params_profile(m_params));
}

bool
KeepAliveTcpSocketFactory::SetParam(const std::string& assignment, std::string* error)
{
    GError* e = nullptr;
    if (ka_params_set_assignment(m_params, assignment.c_str(), &e))
    {
        return true;
    }
    if (error != nullptr)
    {
        *error = e->message;
    }
    g_error_free(e);
    return false;
}

void
KeepAliveTcpSocketFactory::SetParams(const ka_params* params)
{
    if (ka_params_profile(params) == ka_params_profile(m_params))
    {
        ka_params_assign(m_params, params);
    }
    else
    {
        ka_params_free(m_params);
        m_params = ka_params_copy(params);
    }
}

const ka_params*
KeepAliveTcpSocketFactory::GetParams() const
{
    return m_params;
}

const ka_profile*
KeepAliveTcpSocketFactory::GetProfile() const
{
    return ka_params_profile(m_params);
}

Ptr<Socket>
KeepAliveTcpSocketFactory::CreateSocket()
{
    Ptr<Node> node = GetObject<Node>();
    NS_ABORT_MSG_IF(node == nullptr, "KeepAliveTcpSocketFactory is not aggregated to a node");
    Ptr<TcpL4Protocol> tcp = node->GetObject<TcpL4Protocol>();
    NS_ABORT_MSG_IF(tcp == nullptr, "KeepAliveTcpSocketFactory: the node has no TcpL4Protocol");

    /* What TcpL4Protocol::CreateSocket does, with our class: the node's
     * RTT estimator, congestion control and recovery types. */
    TypeIdValue rttType, congestionType, recoveryType;
    tcp->GetAttribute("RttEstimatorType", rttType);
    tcp->GetAttribute("SocketType", congestionType);
    tcp->GetAttribute("RecoveryType", recoveryType);
    ObjectFactory rttFactory, congestionFactory, recoveryFactory;
    rttFactory.SetTypeId(rttType.Get());
    congestionFactory.SetTypeId(congestionType.Get());
    recoveryFactory.SetTypeId(recoveryType.Get());

    Ptr<KeepAliveTcpSocket> socket = CreateObject<KeepAliveTcpSocket>();
    socket->SetNode(node);
    socket->SetTcp(tcp);
    socket->SetRtt(rttFactory.Create<RttEstimator>());
    socket->SetCongestionControlAlgorithm(congestionFactory.Create<TcpCongestionOps>());
    socket->SetRecoveryAlgorithm(recoveryFactory.Create<TcpRecoveryOps>());
    socket->SetHost(this);
    /* The profile's minimum RTO (ka_profile_rto_min): Linux's TCP_RTO_MIN
     * is 200 ms, which its tcp_retries2 give-up time assumes. */
    socket->SetMinRto(NanoSeconds(ka_profile_rto_min(GetProfile())));
    /* The model decides when data retransmission gives up (Windows'
     * TcpMaxDataRetransmissions, Linux's tcp_retries2 time, ...): ns-3's
     * own count (DataRetries, 6 by default) must not come first. */
    socket->SetAttribute("DataRetries", UintegerValue(std::numeric_limits<uint32_t>::max()));
    tcp->AddSocket(socket);
    return socket;
}

} // namespace kasim
