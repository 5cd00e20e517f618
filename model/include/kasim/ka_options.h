/* ka_options.h - every protocol constant the model uses, with its source.
 *
 * As in lwIP's opt.h, each default sits beside the reason it has that value.
 * "facts §N" is ../shared/reference/keepalive-facts.md, section N, which in
 * turn names the primary source.  Change a value here only with a source.
 */
#ifndef KASIM_KA_OPTIONS_H
#define KASIM_KA_OPTIONS_H

#include "ka_time.h"

/* --- Windows registry-like defaults (facts §2: Windows Server 2003 TCP/IP
 *     registry reference; KB170359). ------------------------------------- */
#define KA_WIN_KEEPALIVETIME_DEFAULT_MS 7200000u /* 2 h; RFC 1122 floor */
#define KA_WIN_KEEPALIVETIME_MIN_MS 1u
#define KA_WIN_KEEPALIVETIME_MAX_MS 0xFFFFFFFFu
#define KA_WIN_KEEPALIVEINTERVAL_DEFAULT_MS 1000u
#define KA_WIN_KEEPALIVEINTERVAL_MIN_MS 1u
#define KA_WIN_KEEPALIVEINTERVAL_MAX_MS 0xFFFFFFFFu
#define KA_WIN_TCPMAXDATARETRANSMISSIONS_DEFAULT 5u
#define KA_WIN_TCPMAXDATARETRANSMISSIONS_MAX 0xFFFFFFFFu
#define KA_WIN_PPTPTCPMAXDATARETRANSMISSIONS_DEFAULT 5u
#define KA_WIN_PPTPTCPMAXDATARETRANSMISSIONS_MAX 0xFFu

/* Vista and later send a fixed 10 probes (so-keepalive page, facts §2). */
#define KA_WIN_VISTA_PROBES 10u
/* 2000/XP/2003 cap the registry-derived probe count at 255 (facts §2). */
#define KA_WIN_LEGACY_PROBES_MAX 255u
/* TCP_KEEPCNT above 255 fails with WSAEINVAL (ipproto-tcp page, facts §1). */
#define KA_WIN_TCP_KEEPCNT_MAX 255u
/* Windows probes carry one garbage octet, 0x00 (captures, facts §6). */
#define KA_WIN_PROBE_PAYLOAD 1u

/* Windows doubles the RTO on each retransmission (KB170359).  No source in
 * the reference sheet gives a ceiling; RFC 6298 (2.5) allows one of at least
 * 60 s, and kasim uses exactly that so long retransmission chains stay
 * finite.  See docs/model.md. */
#define KA_WIN_RTO_MAX KA_S(60)

/* Winsock numbers (facts §1). */
#define KA_WIN_SOL_SOCKET 0xffff
#define KA_WIN_SO_KEEPALIVE 0x0008
#define KA_WIN_IPPROTO_TCP 6
#define KA_WIN_TCP_KEEPALIVE 3 /* same number as TCP_KEEPIDLE */
#define KA_WIN_TCP_KEEPIDLE 3
#define KA_WIN_TCP_KEEPCNT 16
#define KA_WIN_TCP_KEEPINTVL 17
#define KA_WIN_SIO_KEEPALIVE_VALS 0x98000004u /* _WSAIOW(IOC_VENDOR,4) */
#define KA_WIN_TCP_KEEPALIVE_SIZE 12u         /* struct tcp_keepalive, 3 u_long */

/* Where the reference sheet leaves a gap, kasim chooses; each choice is
 * this one line, and docs/model.md §8 says why it is what it is. */
/* Vista and option 3 (TCP_KEEPALIVE): Wine's test shows it accepted from
 * Windows 7 on, ReactOS's refused on Server 2003; nothing covers Vista.
 * 0: refused with WSAENOPROTOOPT, as on 2003; 1: accepted, as on 7. */
#define KA_WIN_VISTA_TCP_KEEPALIVE 0
/* The unit of option 3's value before Windows 10 1709, which documents it
 * as TCP_KEEPIDLE in seconds; Wine's test only reads the value back.
 * KA_S(1): seconds, as from 1709; KA_MS(1): milliseconds. */
#define KA_WIN_TCP_KEEPALIVE_UNIT_PRE1709 KA_S(1)
/* setsockopt with a negative optlen fails with WSAEFAULT on Windows 7 up
 * to 10 21H1 and WSAENOBUFS on 21H2 and later (Wine test_optsize); for
 * Vista and for 2003 and older no source says.  0: WSAEFAULT, as on 7
 * (and as the documentation's "optlen too small"); 1: WSAENOBUFS. */
#define KA_WIN_VISTA_NEG_OPTLEN_ENOBUFS 0
#define KA_WIN_LEGACY_NEG_OPTLEN_ENOBUFS 0

/* --- Linux (facts §4: include/net/tcp.h, net/ipv4/tcp_timer.c). -------- */
#define KA_LINUX_KEEPIDLE_DEFAULT_S 7200u
#define KA_LINUX_KEEPINTVL_DEFAULT_S 75u
#define KA_LINUX_KEEPCNT_DEFAULT 9u
#define KA_LINUX_MAX_TCP_KEEPIDLE 32767u /* MAX_TCP_KEEPIDLE */
#define KA_LINUX_MAX_TCP_KEEPINTVL 32767u
#define KA_LINUX_MAX_TCP_KEEPCNT 127u
#define KA_LINUX_TCP_RETRIES2_DEFAULT 15u /* ip-sysctl: ~924.6 s */
#define KA_LINUX_RTO_MIN \
  KA_MS(200)                       /* TCP_RTO_MIN: what makes the
                                             tcp_retries2=15 give-up 924.6 s */
#define KA_LINUX_RTO_MAX KA_S(120) /* TCP_RTO_MAX */
/* CONFIG_HZ of Debian's kernels (and of the kernel kasim validates
 * against here): a Linux host's default tick rate (facts §4). */
#define KA_LINUX_HZ_DEFAULT 250u
/* include/linux/jiffies.h: INITIAL_JIFFIES = -300 * HZ, the counter wraps
 * five minutes after boot. */
#define KA_LINUX_INITIAL_JIFFIES_S 300u
/* The largest uptime a host may be given: 100 years, far past any jiffies
 * wrap the wheel could show. */
#define KA_LINUX_UPTIME_MAX_MS UINT64_C(3155760000000)
/* net.ipv4.tcp_syn_retries (ip-sysctl): 1+2+4+8+16+32+64 = 127 s before
 * connect() fails. */
#define KA_LINUX_TCP_SYN_RETRIES_DEFAULT 6u
/* The sysctls are u8 (proc_dou8vec_minmax) in current kernels. */
#define KA_LINUX_SYSCTL_U8_MAX 255u
/* tcp_keepalive_time/_intvl are proc_dointvec_jiffies: at most INT_MAX/HZ
 * seconds; kasim assumes HZ=1000, the smallest such limit of common builds. */
#define KA_LINUX_SYSCTL_SECS_MAX 2147483u

#define KA_LINUX_SOL_SOCKET 1
#define KA_LINUX_SO_KEEPALIVE 9
#define KA_LINUX_IPPROTO_TCP 6
#define KA_LINUX_TCP_KEEPIDLE 4
#define KA_LINUX_TCP_KEEPINTVL 5
#define KA_LINUX_TCP_KEEPCNT 6
#define KA_LINUX_TCP_USER_TIMEOUT 18

/* --- FreeBSD and macOS (facts §5: tcp_timer.c of each). ---------------- */
#define KA_BSD_KEEPIDLE_DEFAULT_MS 7200000u
#define KA_BSD_KEEPINTVL_DEFAULT_MS 75000u
#define KA_BSD_KEEPCNT_DEFAULT 8u
#define KA_BSD_HZ 1000u            /* kern.hz default; bounds TCP_KEEP* */
#define KA_BSD_TCP_MAXRXTSHIFT 12u /* tcp_var.h, both systems */
#define KA_BSD_RTO_MAX KA_S(64)    /* TCPTV_REXMTMAX */

#define KA_BSD_SOL_SOCKET 0xffff
#define KA_BSD_SO_KEEPALIVE 0x0008
#define KA_BSD_IPPROTO_TCP 6
#define KA_FREEBSD_TCP_KEEPIDLE 256
#define KA_FREEBSD_TCP_KEEPINTVL 512
#define KA_FREEBSD_TCP_KEEPCNT 1024
#define KA_MACOS_TCP_KEEPALIVE 0x10 /* macOS's name for the idle time */
#define KA_MACOS_TCP_KEEPINTVL 0x101
#define KA_MACOS_TCP_KEEPCNT 0x102

/* --- RFC 6298: the initial RTO before any RTT sample, and the floor
 *     ("if it is less than 1 second, then the RTO SHOULD be rounded up to
 *     1 second", 2.4) that every modelled OS but Linux keeps. ---------- */
#define KA_RTO_INITIAL KA_S(1)
#define KA_RTO_MIN KA_S(1)

/* SYN retransmissions of the profiles whose own count the reference sheet
 * does not give (Windows' TcpMaxConnectRetransmissions, FreeBSD's and
 * macOS's SYN backoff): Linux's default, so that every profile connects
 * by the same rule until a source says otherwise (docs/model.md). */
#define KA_SYN_RETRIES KA_LINUX_TCP_SYN_RETRIES_DEFAULT

#endif
