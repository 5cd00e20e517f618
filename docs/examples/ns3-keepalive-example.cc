/* ns3-keepalive-example.cc - TCP keep-alive in an ns-3 program.
 *
 * A Windows Vista client and a Linux server on one point-to-point link.
 * The client turns keep-alive on as a Windows program would, with
 * WSAIoctl(SIO_KEEPALIVE_VALS, {1, 10000 ms, 1000 ms}); at 5 s the cable
 * is pulled (an ns-3 RateErrorModel dropping every packet).  Vista sends
 * 10 probes one second apart from 10 s after the last segment it heard,
 * then gives up: at about 0.002 + 10 + 10 x 1 = 20.002 s the application's
 * error-close callback fires, and the socket says why in Windows' terms:
 * keepalive_timeout, WSAENETRESET (10052).
 *
 * Build against an installed kasim (docs/ns3.md):
 *   g++ -std=c++17 ns3-keepalive-example.cc -o example \
 *       $(pkg-config --cflags --libs kasim-ns3) -lns3-point-to-point
 */
#include <kasim/ns3/keepalive-tcp-socket.h>

#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cstdint>
#include <cstdio>

using namespace ns3;
using kasim::KeepAliveTcpSocket;
using kasim::KeepAliveTcpSocketFactory;

static void
OnProbe(const ka_action& a)
{
    if (a.kind == KA_ACTION_PROBE)
    {
        std::printf("%.3f s: keep-alive probe %u (%u octet)\n",
                    Simulator::Now().GetSeconds(),
                    a.ordinal,
                    a.payload);
    }
}

static void
OnError(Ptr<Socket> s)
{
    Ptr<KeepAliveTcpSocket> k = DynamicCast<KeepAliveTcpSocket>(s);
    int err = k->GetPendingError();
    std::printf("%.3f s: connection closed: %s, %s (%d), after %u probes\n",
                Simulator::Now().GetSeconds(),
                ka_close_reason_name(k->GetCloseReason()),
                k->ErrorName(err).c_str(),
                k->ErrorNumber(err),
                k->GetProbesSent());
}

static void
OnNormal(Ptr<Socket>)
{
}

int
main()
{
    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));
    NetDeviceContainer devs = p2p.Install(nodes);
    InternetStackHelper stack;
    stack.Install(nodes);
    Ipv4AddressHelper addr("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);

    /* The keep-alive sockets: one factory per node, with its OS. */
    KeepAliveTcpSocketFactory::Install(nodes.Get(0), "windows-vista");
    KeepAliveTcpSocketFactory::Install(nodes.Get(1), "linux");
    TypeId tcp = KeepAliveTcpSocketFactory::GetTypeId();

    Ptr<Socket> server = Socket::CreateSocket(nodes.Get(1), tcp);
    server->Bind(InetSocketAddress(Ipv4Address::GetAny(), 80));
    server->Listen();

    Ptr<KeepAliveTcpSocket> client =
        DynamicCast<KeepAliveTcpSocket>(Socket::CreateSocket(nodes.Get(0), tcp));
    /* struct tcp_keepalive {onoff, keepalivetime, keepaliveinterval}, three
     * little-endian u_long, times in milliseconds. */
    const uint32_t vals[3] = {1, 10000, 1000};
    uint8_t in[12];
    for (int i = 0; i < 12; i++)
    {
        in[i] = uint8_t(vals[i / 4] >> (8 * (i % 4)));
    }
    uint32_t returned = 0;
    int rc = client->WsaIoctl(0x98000004u /* SIO_KEEPALIVE_VALS */,
                              in,
                              sizeof in,
                              nullptr,
                              0,
                              &returned);
    if (rc != 0)
    {
        std::printf("WSAIoctl failed: %s\n", client->ErrorName(rc).c_str());
        return 1;
    }
    client->SetCloseCallbacks(MakeCallback(&OnNormal), MakeCallback(&OnError));
    client->TraceConnectWithoutContext("KeepAliveAction", MakeCallback(&OnProbe));
    Address to = InetSocketAddress(ifs.GetAddress(1), 80);
    Simulator::Schedule(Seconds(0), [client, to] {
        client->Bind();
        client->Connect(to);
    });

    /* Pull the cable at 5 s. */
    for (uint32_t i = 0; i < 2; i++)
    {
        Ptr<RateErrorModel> cut = CreateObject<RateErrorModel>();
        cut->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
        cut->SetRate(1.0);
        cut->Disable();
        devs.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(cut));
        Simulator::Schedule(Seconds(5), &RateErrorModel::Enable, cut);
    }

    Simulator::Stop(Seconds(30));
    Simulator::Run();
    Simulator::Destroy();
    return 0;
}
