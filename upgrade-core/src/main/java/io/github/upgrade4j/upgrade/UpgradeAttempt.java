package io.github.upgrade4j.upgrade;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ProxyUpgrade#towardUpstream} forwarded, kept by the proxy until the upstream answers
 * and passed to {@link ProxyUpgrade#judge}. Immutable; one per forwarded request.
 *
 * <p>For a WebSocket offer it remembers the expected {@code Sec-WebSocket-Accept} and the offered
 * subprotocols and extensions, so that the upstream's 101 can be checked against them.
 */
public final class UpgradeAttempt {
    private final List<Protocol> offered;
    private final UpgradeDecision.@Nullable Ignore notForwarded;
    private final @Nullable String expectedAccept;
    private final List<String> subprotocols;
    private final List<String> extensionNames;

    UpgradeAttempt(List<Protocol> offered, UpgradeDecision.@Nullable Ignore notForwarded, @Nullable String expectedAccept,
            List<String> subprotocols, List<String> extensionNames) {
        this.offered = List.copyOf(offered);
        this.notForwarded = notForwarded;
        this.expectedAccept = expectedAccept;
        this.subprotocols = List.copyOf(subprotocols);
        this.extensionNames = List.copyOf(extensionNames);
    }

    static UpgradeAttempt plain(UpgradeDecision.Ignore why) {
        return new UpgradeAttempt(List.of(), Objects.requireNonNull(why), null, List.of(), List.of());
    }

    /** Whether an upgrade was forwarded, so that a 101 may be accepted. */
    public boolean upgrading() {
        return !offered.isEmpty();
    }

    /** The protocols forwarded upstream, in the client's order; empty when the request went as plain HTTP. */
    public List<Protocol> offered() {
        return offered;
    }

    /**
     * Why no upgrade was forwarded: {@link UpgradeReason#NOT_OFFERED} for an ordinary request, or the
     * reason the client's offer was dropped (HTTP/1.0, no {@code upgrade} in {@code Connection}, a
     * protocol outside the allowlist). Empty when an upgrade was forwarded.
     */
    public Optional<UpgradeDecision.Ignore> notForwarded() {
        return Optional.ofNullable(notForwarded);
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
        return upgrading() ? "UpgradeAttempt[offered=" + offered + "]"
                : "UpgradeAttempt[plain: " + Objects.requireNonNull(notForwarded).reason() + "]";
    }
}
