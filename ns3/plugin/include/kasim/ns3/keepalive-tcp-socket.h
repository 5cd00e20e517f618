/* keepalive-tcp-socket.h - TCP keep-alive for ns-3, driven by kasim's model.
 *
 * ns-3 (every version up to at least 3.37) has no TCP keep-alive.  This
 * header gives an ns-3 program one:
 *
 *   - kasim::KeepAliveTcpSocket, a subclass of ns3::TcpSocketBase that takes
 *     every keep-alive decision (when to probe, how many unanswered probes,
 *     when to give up, with or without an RST, which error the application
 *     sees) from libkasim-model's ka_conn, for one modelled OS (a
 *     "profile": windows-vista, linux, freebsd, ...);
 *   - kasim::KeepAliveTcpSocketFactory, aggregated to a node, which is how
 *     sockets of that class are made: Socket::CreateSocket(node,
 *     KeepAliveTcpSocketFactory::GetTypeId()), or any helper or application
 *     that takes a socket factory TypeId ("kasim::KeepAliveTcpSocketFactory"
 *     as the Protocol of PacketSinkHelper, BulkSendHelper, ...).
 *     TcpL4Protocol itself always builds the base class, which is why a
 *     factory of our own is needed.  The node's stock ns3::TcpSocketFactory
 *     is left alone.
 *
 * What the socket does beyond stock ns-3:
 *   - probes: <SEQ=SND.NXT-1><ACK=RCV.NXT><ACK> with 0 or 1 octet (0x00)
 *     as the profile says, carrying the TCP options in use (timestamps:
 *     a timestamp-negotiating ns-3 peer silently drops segments without
 *     them), each packet tagged with a KeepAliveTag;
 *   - counting: any acceptable segment from the peer resets the count; a
 *     probe it receives (SEG.SEQ = RCV.NXT-1) does not;
 *   - giving up: as the profile says, with an RST+ACK <SEQ=SND.NXT> or
 *     without; the application hears of it through ns-3's error-close
 *     callback (Socket::SetCloseCallbacks), and GetCloseReason(),
 *     GetPendingError() say why in the modelled OS's own terms
 *     (WSAENETRESET, ETIMEDOUT, ...): ns-3's SocketErrno has no such codes;
 *   - answering: zero-length probes are answered with <SEQ=SND.NXT>
 *     <ACK=RCV.NXT><ACK> (stock ns-3.37 answers only one-octet probes);
 *   - an RST is accepted only with SEG.SEQ = RCV.NXT (RFC 5961 3.2) and is
 *     an error close (reset_by_peer, ECONNRESET), not a normal one;
 *   - a listening socket answers a segment carrying an ACK with
 *     <SEQ=SEG.ACK><RST> (RFC 9293 3.10.7.2), so a peer that lost its
 *     connections answers a probe with an RST as real stacks do;
 *   - the data retransmission give-up is the model's too (Windows'
 *     TcpMaxDataRetransmissions, Linux's tcp_retries2 time, ...); ns-3
 *     still chooses when to retransmit.
 *   - accepted sockets are of this class too (Fork) and inherit the
 *     listener's keep-alive options, as Windows and Linux do.
 *
 * The option API is the modelled OS's: SetSockOpt(level, optname, ...)
 * with that OS's numbers (Windows SOL_SOCKET is 0xffff, Linux's is 1),
 * returning 0 or the model's KA_E* code; ErrorName() gives the OS's name
 * for it ("WSAENOPROTOOPT").  See docs/ns3.md.
 */
#ifndef KASIM_NS3_KEEPALIVE_TCP_SOCKET_H
#define KASIM_NS3_KEEPALIVE_TCP_SOCKET_H

#include <kasim/ka.h>

#include <ns3/event-id.h>
#include <ns3/nstime.h>
#include <ns3/socket-factory.h>
#include <ns3/tag.h>
#include <ns3/tcp-socket-base.h>
#include <ns3/traced-callback.h>

#include <cstdint>
#include <string>

namespace kasim
{

class KeepAliveTcpSocketFactory;

/* A packet tag on what the keep-alive machinery itself sends. */
class KeepAliveTag : public ns3::Tag
{
  public:
    enum Kind : uint8_t
    {
        PROBE = 1,    //!< a keep-alive probe
        PROBE_ACK = 2 //!< the answer to a zero-length probe
    };

    KeepAliveTag(Kind kind = PROBE);
    static ns3::TypeId GetTypeId();
    ns3::TypeId GetInstanceTypeId() const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(ns3::TagBuffer i) const override;
    void Deserialize(ns3::TagBuffer i) override;
    void Print(std::ostream& os) const override;
    Kind GetKind() const;

  private:
    Kind m_kind;
};

class KeepAliveTcpSocket : public ns3::TcpSocketBase
{
  public:
    static ns3::TypeId GetTypeId();
    ns3::TypeId GetInstanceTypeId() const override;

    KeepAliveTcpSocket();
    KeepAliveTcpSocket(const KeepAliveTcpSocket& sock);
    ~KeepAliveTcpSocket() override;
    KeepAliveTcpSocket& operator=(const KeepAliveTcpSocket&) = delete;

    /* Made by the factory, which calls this once: the socket belongs to a
     * host with that factory's profile and tunables. */
    void SetHost(ns3::Ptr<KeepAliveTcpSocketFactory> host);

    /* --- The modelled OS's option API. ---------------------------------- */

    /* setsockopt/getsockopt with the OS's level and option numbers and byte
     * buffers; 0 or a negative KA_E* code (ErrorName() gives the OS name). */
    int SetSockOpt(int level, int optname, const void* optval, int optlen);
    int GetSockOpt(int level, int optname, void* optval, int* optlen) const;
    /* WSAIoctl(SIO_KEEPALIVE_VALS, ...) on Windows profiles. */
    int WsaIoctl(uint32_t code,
                 const void* in,
                 uint32_t inLen,
                 void* out,
                 uint32_t outLen,
                 uint32_t* bytesReturned);
    /* By symbolic name with an int value, through the same checks. */
    int SetKeepAliveOption(ka_opt opt, int value);
    /* Runs fn on the model's socket (for callers that speak ka_sock, such
     * as kasim's option parser); when it returns 0 the new options take
     * effect as with SetSockOpt.  Returns fn's result. */
    int WithModelSocket(int (*fn)(ka_sock* sock, void* ud), void* ud);

    const ka_profile* GetProfile() const;
    /* The OS's name and number for a KA_E* code: "WSAENETRESET", 10052. */
    std::string ErrorName(int err) const;
    int ErrorNumber(int err) const;

    /* --- What happened. -------------------------------------------------- */

    /* KA_CLOSE_NONE while open (or closed normally by ns-3). */
    ka_close_reason GetCloseReason() const;
    /* The KA_E* code a pending recv/send failed with (0: none). */
    int GetPendingError() const;
    /* The KA_E* code later calls on the socket fail with (0: none). */
    int GetLaterError() const;
    /* When keep-alive, retransmission or an RST closed it; Time::Max() if not. */
    ns3::Time GetClosedAt() const;
    uint32_t GetProbesSent() const;
    uint32_t GetProbesAnswered() const;
    /* The last acceptable segment from the peer; Time::Max() before the
     * connection was established. */
    ns3::Time GetLastRx() const;
    bool IsKeepAliveTracking() const; //!< established and watched by the model

    ns3::SequenceNumber32 GetSndNxt() const;
    ns3::SequenceNumber32 GetRcvNxt() const;

    /* --- For simulators of host failures. ------------------------------- */

    /* The host crashed: the socket never sends or reacts again. */
    void Crash();
    /* The host rebooted: the connection is forgotten without a word (no
     * FIN, no RST), so the next segment for it meets ns-3's "no such
     * connection" RST or a listener's.  Recorded as closed, no reason. */
    void Forget();

    /* TracedCallback signatures. */
    typedef void (*ActionTracedCallback)(const ka_action& action);

  protected:
    ns3::Ptr<ns3::TcpSocketBase> Fork() override;
    void DoForwardUp(ns3::Ptr<ns3::Packet> packet,
                     const ns3::Address& fromAddress,
                     const ns3::Address& toAddress) override;
    uint32_t SendDataPacket(ns3::SequenceNumber32 seq, uint32_t maxSize, bool withAck) override;
    void ReceivedAck(ns3::Ptr<ns3::Packet> packet, const ns3::TcpHeader& tcpHeader) override;
    void DoDispose() override;

  public:
    int Connect(const ns3::Address& address) override;
    int Listen() override;

  private:
    ka_time Now() const;
    void Established();
    void ApplyCfg();
    void Rearm();
    void OnTimer();
    void Emit(ns3::Ptr<ns3::Packet> p, ns3::TcpHeader& h);
    void SendProbe(const ka_action& a);
    void SendKeepAliveAck();
    void GiveUp(const ka_action& a);
    void PeerReset();
    void ListenReset(const ns3::TcpHeader& h,
                     const ns3::Address& fromAddress,
                     const ns3::Address& toAddress);
    ka_time CurrentRto() const;

    ns3::Ptr<KeepAliveTcpSocketFactory> m_host;
    ka_sock* m_sock{nullptr};
    ka_cfg m_cfgs[2]{}; //!< alternate buffers: ka_conn_set_cfg compares old and new
    unsigned m_cfgIdx{0};
    ka_conn m_conn{};
    ka_rtx m_rtx{};         //!< m_conn's retransmission state (the socket sends data)
    bool m_tracking{false}; //!< m_conn is live
    bool m_everTracked{false};
    bool m_crashed{false};
    bool m_answerZeroProbes{true};
    bool m_resetInListen{true};
    ns3::EventId m_kaEvent;
    ka_time m_kaAt{KA_TIME_NEVER};
    ka_close_reason m_reason{KA_CLOSE_NONE};
    int m_errPending{0};
    int m_errLater{0};
    ka_time m_closedAt{KA_TIME_NEVER};
    uint32_t m_probesSent{0};
    uint32_t m_probesAnswered{0};

    ns3::TracedCallback<const ka_action&> m_actionTrace;
};

/* Aggregated to a node: the host's profile and tunables, and the maker of
 * its keep-alive sockets. */
class KeepAliveTcpSocketFactory : public ns3::SocketFactory
{
  public:
    static ns3::TypeId GetTypeId();
    KeepAliveTcpSocketFactory();
    ~KeepAliveTcpSocketFactory() override;

    /* Creates a factory with `profile`'s defaults and aggregates it to the
     * node, which must have an internet stack already (TcpL4Protocol).
     * Aborts the simulation on an unknown profile name. */
    static ns3::Ptr<KeepAliveTcpSocketFactory> Install(ns3::Ptr<ns3::Node> node,
                                                       const std::string& profile = "linux");

    /* The profile ("windows-vista", "linux", ...): resets the tunables to
     * its defaults.  False, and no change, for an unknown name. */
    bool SetProfile(const std::string& name);
    /* A registry value or sysctl, "NAME=VALUE" as on kasim's command line
     * ("KeepAliveTime=300s", "net.ipv4.tcp_keepalive_time=600"); false with
     * the reason in *error when the modelled OS refuses it. */
    bool SetParam(const std::string& assignment, std::string* error = nullptr);
    /* Takes a copy of a whole parameter set (its profile becomes ours). */
    void SetParams(const ka_params* params);
    const ka_params* GetParams() const;
    const ka_profile* GetProfile() const;

    ns3::Ptr<ns3::Socket> CreateSocket() override;

  private:
    void SetProfileAttribute(std::string name);
    std::string GetProfileAttribute() const;
    ka_params* m_params;
};

} // namespace kasim

#endif
