package io.github.upgrade4j.examples.probe;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.Reason;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The judgement of one path of a {@code probe}: whether the upgrade worked and, when it did not, the
 * library's reason and the explanations a person needs, most specific first.
 *
 * <p>A 101 is judged by {@link ProxyUpgrade#judge}, the same rules the example proxy applies to its
 * upstream (the accept value, the protocol, the offered subprotocols and extensions). For any other
 * answer the fields that upgrade4j servers add say which hop ignored the upgrade and why:
 * {@code X-Upgrade-Ignored} from an origin, {@code X-Upgrade-Not-Forwarded} from a proxy. Without
 * them the status and the missing {@code Upgrade} field point to the likely cause.
 *
 * @param worked whether the connection switched to WebSocket with a valid 101
 * @param summary one line: what happened
 * @param reason the library's reason when it did not work; null when it worked or no rule applies
 * @param explanations why, the likely cause and the fix, most specific first
 */
record ProbeVerdict(boolean worked, String summary, @Nullable Reason reason, List<String> explanations) {
    /** Added by the example echo server when it served an upgrade request as plain HTTP. */
    static final HeaderName UPGRADE_IGNORED = HeaderName.of("X-Upgrade-Ignored");
    /** Added by the example proxy when it did not forward a client's upgrade offer. */
    static final HeaderName UPGRADE_NOT_FORWARDED = HeaderName.of("X-Upgrade-Not-Forwarded");

    ProbeVerdict {
        Objects.requireNonNull(summary, "summary");
        explanations = List.copyOf(explanations);
    }

    /** A valid 101. */
    static ProbeVerdict worked(Verdict.Tunnel tunnel) {
        ResponseHead response = tunnel.response();
        StringBuilder summary = new StringBuilder("upgrade worked: 101 to ").append(tunnel.protocol())
                .append(" with the right Sec-WebSocket-Accept");
        response.headers().first(HeaderName.SEC_WEBSOCKET_PROTOCOL)
                .ifPresent(p -> summary.append(", subprotocol ").append(p));
        response.headers().first(HeaderName.SEC_WEBSOCKET_EXTENSIONS)
                .ifPresent(e -> summary.append(", extensions ").append(e));
        return new ProbeVerdict(true, summary.toString(), null,
                tunnel.notices().stream().map(Forwarding.Notice::toString).toList());
    }

    /** Any answer but a valid 101: the library's verdict refined by the hints in the answer. */
    static ProbeVerdict judge(Verdict verdict, ResponseHead response, @Nullable String body) {
        String status = response.status() + (response.reason().isEmpty() ? "" : " " + response.reason());
        if (verdict instanceof ErrorAnswer invalid) {
            return new ProbeVerdict(false, "upgrade failed: answered " + status + " but the answer is not a valid"
                    + " switch (" + invalid.reason() + ")", invalid.reason(), List.of(invalid.message()));
        }
        boolean upgradeField = response.headers().contains(HeaderName.UPGRADE);
        String summary = "upgrade failed: answered " + status + (upgradeField ? "" : " without Upgrade")
                + " instead of 101 Switching Protocols";
        List<String> explanations = new ArrayList<>();
        Optional<Reason> hinted = hint(response, UPGRADE_NOT_FORWARDED).or(() -> hint(response, UPGRADE_IGNORED));
        hint(response, UPGRADE_NOT_FORWARDED).ifPresent(r -> explanations.add("An upgrade4j proxy on this path did"
                + " not forward the upgrade (" + UPGRADE_NOT_FORWARDED + ": " + r + "), so the hop in front of that"
                + " proxy changed the request. " + r.explanation() + " (" + r.spec() + ")"));
        hint(response, UPGRADE_IGNORED).ifPresent(r -> explanations.add("The server that answered received the"
                + " request but ignored its upgrade (" + UPGRADE_IGNORED + ": " + r + "). " + r.explanation()
                + " (" + r.spec() + ")"));
        if (hinted.isPresent()) {
            return new ProbeVerdict(false, summary, hinted.get(), explanations);
        }
        Reason likely = likelyReason(response);
        int code = response.status();
        if (likely == UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE) {
            explanations.add("The server answered as if this were an ordinary request, so the request that reached it"
                    + " most likely lacked 'Connection: upgrade' or 'Upgrade: websocket': hop-by-hop fields that a"
                    + " proxy drops unless told to pass them on. " + likely.explanation() + " (" + likely.spec() + ")");
            explanations.add("If it was Upgrade that was dropped: in nginx add 'proxy_set_header Upgrade $http_upgrade;'"
                    + " too, and set 'proxy_http_version 1.1;'.");
        } else if (likely == UpgradeReason.Ignored.HTTP_1_0_REQUEST) {
            explanations.add("The answer is HTTP/1.0, so a hop on the way speaks HTTP/1.0, which cannot switch"
                    + " protocols. " + likely.explanation());
        } else if (likely != UpgradeReason.Ignored.NOT_SWITCHED) {
            explanations.add(likely.explanation() + " (" + likely.spec() + ")"
                    + (likely == UpgradeReason.Refused.ORIGIN_REFUSED ? " Try --origin with the page's origin." : ""));
        } else if (code == 404) {
            explanations.add("Nothing at this path answers WebSocket handshakes: check the path, and any prefix"
                    + " a proxy strips or adds.");
        } else if (code == 502 || code == 503 || code == 504) {
            explanations.add("A proxy on this path could not get a usable answer from the server behind it"
                    + (body == null ? "." : "; its body says why."));
        } else {
            explanations.add(UpgradeReason.Ignored.NOT_SWITCHED.explanation());
        }
        return new ProbeVerdict(false, summary, likely, explanations);
    }

    /** The reason an answer without hints points to. */
    private static Reason likelyReason(ResponseHead response) {
        if (response.version() == HttpVersion.HTTP_1_0) {
            return UpgradeReason.Ignored.HTTP_1_0_REQUEST;
        }
        int code = response.status();
        if (code == 426) {
            return UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED;
        }
        if (code == 403) {
            return UpgradeReason.Refused.ORIGIN_REFUSED;
        }
        boolean ordinary = code >= 200 && code < 400;
        return ordinary && !response.headers().contains(HeaderName.UPGRADE) ? UpgradeReason.Ignored.CONNECTION_LACKS_UPGRADE
                : UpgradeReason.Ignored.NOT_SWITCHED;
    }

    /** The reason named by an upgrade4j hint field, when present and known. */
    private static Optional<Reason> hint(ResponseHead response, HeaderName field) {
        return response.headers().first(field).flatMap(value -> {
            try {
                return Optional.of(reasonNamed(value.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    /** The connection (or the TLS handshake) could not be made. */
    static ProbeVerdict unreachable(ProbeTarget target, IOException e) {
        String what;
        if (e instanceof UnknownHostException) {
            what = "the host name " + target.host() + " does not resolve";
        } else if (e instanceof ConnectException) {
            what = "nothing accepts connections at " + target.address() + " (" + e.getMessage() + ")";
        } else if (e instanceof SSLException) {
            what = "the TLS handshake failed: " + e.getMessage() + ". For a self-signed test server add --insecure";
        } else {
            what = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return new ProbeVerdict(false, "could not connect to " + target.address(), null, List.of(what));
    }

    /** The connection closed before a whole answer head. */
    static ProbeVerdict noAnswer(boolean partly) {
        return new ProbeVerdict(false, "upgrade failed: the connection closed " + (partly ? "in the middle of the"
                + " answer head" : "without an answer"), null, List.of("A hop or the server refused the request"
                + " without a word: look at its error log. A TLS port spoken to in plain text (ws:// for wss://)"
                + " often does this."));
    }

    /** The answer is not HTTP/1.1. */
    static ProbeVerdict notHttp(ParseResult.Rejected<ResponseHead> rejected) {
        return new ProbeVerdict(false, "upgrade failed: the answer is not valid HTTP/1.1 (" + rejected.problem() + ")",
                null, List.of(rejected.detail() + " (" + rejected.problem().spec() + "). Something other than an"
                        + " HTTP/1.1 server answered: a TLS port spoken to in plain text, or another protocol."));
    }

    /** No answer within the timeout. */
    static ProbeVerdict timedOut(Duration timeout) {
        return new ProbeVerdict(false, "upgrade failed: no answer within " + timeout.toSeconds() + " s", null,
                List.of("The request was sent but no whole answer head came back. A hop may be waiting for"
                        + " something the probe will not send, or the server hangs."));
    }

    /** The connection broke during the handshake. */
    static ProbeVerdict broken(IOException e) {
        return new ProbeVerdict(false, "upgrade failed: the connection broke during the handshake", null,
                List.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    /** The upgrade reason of any kind named {@code name}. */
    private static Reason reasonNamed(String name) {
        for (Class<? extends Enum<?>> kind : List.of(UpgradeReason.Ignored.class, UpgradeReason.Refused.class,
                UpgradeReason.Invalid.class)) {
            for (Enum<?> constant : kind.getEnumConstants()) {
                if (constant.name().equals(name)) {
                    return (Reason) constant;
                }
            }
        }
        throw new IllegalArgumentException("no upgrade reason named " + name);
    }
}
