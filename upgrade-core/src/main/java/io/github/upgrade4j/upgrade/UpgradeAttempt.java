package io.github.upgrade4j.upgrade;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ProxyUpgrade#towardUpstream} forwarded, kept by the proxy until the upstream answers
 * and passed to {@link ProxyUpgrade#judge}: an upgrade ({@link Forwarded}), after which a 101 may be
 * accepted, or a plain request, whose attempt is the {@link UpgradeDecision.Ignore} that says why
 * the offer, if any, was not passed on ({@link UpgradeReason.Ignored#NOT_OFFERED} for an ordinary
 * request). Immutable; one per forwarded request.
 *
 * <pre>{@code
 * if (attempt instanceof UpgradeAttempt.Forwarded forwarded) { wait(handshakeTimeout); }
 * else if (attempt instanceof UpgradeDecision.Ignore plain) { log(plain.message()); }
 * }</pre>
 */
public sealed interface UpgradeAttempt permits UpgradeAttempt.Forwarded, UpgradeDecision.Ignore {
    /**
     * An upgrade was forwarded. For a WebSocket offer it remembers the expected
     * {@code Sec-WebSocket-Accept} and the offered subprotocols and extensions, so that the upstream's
     * 101 can be checked against them.
     */
    final class Forwarded implements UpgradeAttempt {
        private final List<Protocol> offered;
        private final @Nullable String expectedAccept;
        private final List<String> subprotocols;
        private final List<String> extensionNames;

        Forwarded(List<Protocol> offered, @Nullable String expectedAccept, List<String> subprotocols,
                List<String> extensionNames) {
            this.offered = List.copyOf(offered);
            this.expectedAccept = expectedAccept;
            this.subprotocols = List.copyOf(subprotocols);
            this.extensionNames = List.copyOf(extensionNames);
        }

        /** {@return the protocols forwarded upstream, in the client's order; never empty} */
        public List<Protocol> offered() {
            return offered;
        }

        @Nullable String expectedAccept() {
            return expectedAccept;
        }

        List<String> subprotocols() {
            return subprotocols;
        }

        List<String> extensionNames() {
            return extensionNames;
        }

        @Override
        public String toString() {
            return "Forwarded[offered=" + offered + "]";
        }
    }
}
