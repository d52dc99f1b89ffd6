package io.github.upgrade4j.tunnel;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Where a relay reports its three moments (a tunnel opened, refused, ended): to the
 * {@link RelayListener} of its options and as JDK Flight Recorder events. One per relay, held by its
 * {@link Admission}; thread-safe, since it keeps no state of its own.
 *
 * <p>The events cost one allocation that the JIT removes and one check while no recording asks for
 * them; they are committed only when a recording enables them ({@code jfr configure} or a {@code .jfc}
 * file naming {@code io.github.upgrade4j.*}, or any recording with the default settings, since they
 * are enabled by default). They carry no stack trace: where they come from is always the relay.
 */
final class Events {
    static final RelayListener NO_LISTENER = new RelayListener() {
        @Override
        public String toString() {
            return "RelayListener.none()";
        }
    };

    private static final System.Logger LOG = System.getLogger(RelayListener.class.getName());

    private final RelayListener listener;
    private volatile boolean failureLogged;

    Events(RelayListener listener) {
        this.listener = listener;
    }

    /** {@code tunnel} was opened: {@code open} is about to answer {@code Opened}. */
    void opened(BaseTunnel tunnel) {
        TunnelOpened event = new TunnelOpened();
        if (event.shouldCommit()) {
            event.tunnelId = tunnel.id;
            event.path = tunnel.path().name();
            event.commit();
        }
        if (listener != NO_LISTENER) {
            try {
                listener.opened(tunnel);
            } catch (RuntimeException e) {
                failed("opened", e);
            }
        }
    }

    /** {@code open} is about to answer {@code refusal}. */
    void refused(Opening.Refused refusal) {
        TunnelRefused event = new TunnelRefused();
        if (event.shouldCommit()) {
            event.reason = refusal.reason().name();
            event.detail = refusal.detail();
            event.commit();
        }
        if (listener != NO_LISTENER) {
            try {
                listener.refused(refusal);
            } catch (RuntimeException e) {
                failed("refused", e);
            }
        }
    }

    /** {@code tunnel} ended with {@code outcome}, which is about to complete. */
    void closed(BaseTunnel tunnel, TunnelOutcome outcome) {
        TunnelClosed event = new TunnelClosed();
        if (event.shouldCommit()) {
            event.tunnelId = tunnel.id;
            event.reason = outcome.reason().name();
            event.bytesClientToUpstream = outcome.bytesClientToUpstream();
            event.bytesUpstreamToClient = outcome.bytesUpstreamToClient();
            event.tunnelDuration = outcome.duration().toNanos();
            event.path = outcome.path().name();
            event.cause = outcome.cause().map(Throwable::toString).orElse(null);
            event.clientTlsFinWithoutCloseNotify = outcome.clientTlsFinWithoutCloseNotify();
            event.upstreamTlsFinWithoutCloseNotify = outcome.upstreamTlsFinWithoutCloseNotify();
            event.commit();
        }
        if (listener != NO_LISTENER) {
            try {
                listener.closed(tunnel, outcome);
            } catch (RuntimeException e) {
                failed("closed", e);
            }
        }
    }

    /** The first failure of a relay's listener is a warning; the rest are logged at DEBUG, not to flood the log. */
    private void failed(String method, RuntimeException e) {
        System.Logger.Level level = failureLogged ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        failureLogged = true;
        LOG.log(level, "the relay's listener " + listener + " failed in " + method + "; the relay goes on", e);
    }

    @Name("io.github.upgrade4j.TunnelOpened")
    @Label("Tunnel Opened")
    @Category({"upgrade4j", "Tunnels"})
    @Description("A relay accepted a tunnel between a client and an upstream")
    @StackTrace(false)
    static final class TunnelOpened extends Event {
        @Label("Tunnel Id")
        @Description("A number the process gives each tunnel, the same in its open and close events")
        long tunnelId;

        @Label("Path")
        @Description("How the tunnel's bytes travel: COPY (through user space) or SPLICE (in the kernel)")
        String path;
    }

    @Name("io.github.upgrade4j.TunnelRefused")
    @Label("Tunnel Refused")
    @Category({"upgrade4j", "Tunnels"})
    @Description("A relay refused a tunnel before touching its endpoints; the proxy answers 503 instead of the 101")
    @StackTrace(false)
    static final class TunnelRefused extends Event {
        @Label("Reason")
        @Description("The RefusalReason: TUNNEL_LIMIT, BUFFER_BUDGET or SHUT_DOWN")
        String reason;

        @Label("Detail")
        @Description("The figures behind the reason")
        String detail;
    }

    @Name("io.github.upgrade4j.TunnelClosed")
    @Label("Tunnel Closed")
    @Category({"upgrade4j", "Tunnels"})
    @Description("A tunnel ended: both of its connections are closed")
    @StackTrace(false)
    static final class TunnelClosed extends Event {
        @Label("Tunnel Id")
        @Description("The number of the tunnel's open event")
        long tunnelId;

        @Label("Reason")
        @Description("The CloseReason: who closed the tunnel and why")
        String reason;

        @Label("Bytes Client to Upstream")
        @DataAmount
        long bytesClientToUpstream;

        @Label("Bytes Upstream to Client")
        @DataAmount
        long bytesUpstreamToClient;

        @Label("Tunnel Duration")
        @Description("From the relay's open to the close")
        @Timespan(Timespan.NANOSECONDS)
        long tunnelDuration;

        @Label("Path")
        @Description("How the tunnel's bytes travelled: COPY or SPLICE")
        String path;

        @Label("Cause")
        @Description("The exception behind a reset or an I/O error, if any")
        String cause;

        @Label("Client TLS FIN Without close_notify")
        @Description("The client's TLS stream ended with a bare FIN that was accepted as its end")
        boolean clientTlsFinWithoutCloseNotify;

        @Label("Upstream TLS FIN Without close_notify")
        @Description("The upstream's TLS stream ended with a bare FIN that was accepted as its end")
        boolean upstreamTlsFinWithoutCloseNotify;
    }
}
