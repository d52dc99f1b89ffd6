package io.github.upgrade4j.examples.servlet;

import static io.github.upgrade4j.examples.servlet.ServletErrorAnswers.fail;

import io.github.upgrade4j.examples.proxy.ReverseProxy;
import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.upgrade.ErrorAnswer;
import io.github.upgrade4j.upgrade.Outbound;
import io.github.upgrade4j.upgrade.ProxyUpgrade;
import io.github.upgrade4j.upgrade.UpgradeDecision;
import io.github.upgrade4j.upgrade.UpgradeReason;
import io.github.upgrade4j.upgrade.Verdict;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Set;

/**
 * The plain-request path of the {@link ServletProxy}: the request, already stripped and extended by
 * the hop-by-hop policy, goes to the upstream through the JDK {@link HttpClient} (HTTP/1.1), and the
 * answer comes back judged by {@link ProxyUpgrade} (which strips its hop-by-hop fields) with its body
 * streamed to the servlet response.
 *
 * <p>The client refuses to set {@code Host}, {@code Connection}, {@code Content-Length}, {@code Expect}
 * and {@code Upgrade} itself: {@code Host} becomes the upstream's address (the original travels in
 * {@code X-Forwarded-Host}), the client manages its own connections, frames the body from the length
 * it is given, and the container has already answered {@code Expect: 100-continue}; {@code TE} is not
 * sent either, since the client cannot nominate it in {@code Connection}. The client decodes the
 * answer's framing and the container frames it again, so neither chunk extensions nor trailers
 * pass. It does not forward upgrades: {@link ServletUpgradeExchange} does.
 */
final class ServletPlainExchange {
    /** Tells the client why its upgrade offer was not passed on, as {@link ReverseProxy} does. */
    private static final String NOT_FORWARDED = "X-Upgrade-Not-Forwarded";
    /** Fields the JDK HttpClient sets itself and refuses from callers (JDK 12+), plus TE; see the class doc. */
    private static final Set<HeaderName> CLIENT_OWNED = Set.of(HeaderName.HOST, HeaderName.CONNECTION,
            HeaderName.CONTENT_LENGTH, HeaderName.EXPECT, HeaderName.UPGRADE, HeaderName.TE);

    private final ServletProxy.Config config;
    private final ProxyUpgrade proxy;
    private final PrintStream log;
    private final HttpClient client;

    ServletPlainExchange(ServletProxy.Config config, ProxyUpgrade proxy, PrintStream log) {
        this.config = config;
        this.proxy = proxy;
        this.log = log;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(config.handshakeTimeout()).build();
    }

    /** Forwards {@code toUpstream} with the body of {@code request}, and relays the answer to {@code response}. */
    void forward(HttpServletRequest request, HttpServletResponse response, RequestHead head, Outbound.Forward forward,
            RequestHead toUpstream, String line) throws IOException {
        BodyFraming framing = BodyFraming.ofRequest(head);
        if (framing instanceof BodyFraming.Invalid invalid) {
            fail(response, 400, invalid.problem() + ": " + invalid.detail(), line, log);
            return;
        }
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create("http://" + authority(config.upstream()) + head.target()))
                    .timeout(config.handshakeTimeout());
            for (HeaderField field : toUpstream.headers()) {
                if (!CLIENT_OWNED.contains(field.name())) {
                    builder.header(field.name().toString(), field.value());
                }
            }
            InputStream body = request.getInputStream();
            HttpRequest.BodyPublisher publisher;
            if (framing instanceof BodyFraming.FixedLength fixed && fixed.length() > 0) {
                publisher = HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> body), fixed.length());
            } else if (framing instanceof BodyFraming.Chunked) {
                publisher = HttpRequest.BodyPublishers.ofInputStream(() -> body); // sent chunked
            } else {
                publisher = HttpRequest.BodyPublishers.noBody();
            }
            builder.method(head.method(), publisher);
        } catch (IllegalArgumentException e) { // a target, field or method the HttpClient cannot send
            fail(response, 400, "the request cannot be forwarded with the JDK HttpClient: " + e.getMessage(), line, log);
            return;
        }
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            fail(response, 504, "the upstream did not answer within " + config.handshakeTimeout().toMillis()
                    + " ms", line, log);
            return;
        } catch (IOException e) {
            fail(response, 502, "the upstream " + config.upstream() + " could not be reached or failed: " + e, line, log);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(response, 502, "interrupted while waiting for the upstream", line, log);
            return;
        }
        try (InputStream body = answer.body()) {
            relay(response, forward, answer, body, line);
        }
    }

    /** Judges the upstream's answer and streams it, body included, to {@code response}. */
    private void relay(HttpServletResponse response, Outbound.Forward forward, HttpResponse<InputStream> answer,
            InputStream body, String line) throws IOException {
        Verdict verdict;
        try {
            Headers.Builder fields = Headers.builder(); // the client gives them sorted by name
            answer.headers().map().forEach((name, values) -> values.forEach(value -> fields.add(HeaderName.of(name), value)));
            verdict = proxy.judge(forward.attempt(), ResponseHead.of(answer.statusCode(), fields.build()));
        } catch (IllegalArgumentException e) {
            fail(response, 502, "the upstream's answer cannot be relayed: " + e.getMessage(), line, log);
            return;
        }
        if (verdict instanceof ErrorAnswer invalid) {
            fail(response, 502, invalid.reason() + ": " + invalid.detail(), line, log);
            return;
        }
        Verdict.Plain plain = (Verdict.Plain) verdict; // 1xx never reach us
        ServletHeads.write(plain.response(), response);
        if (plain.reason() != UpgradeReason.Ignored.NOT_OFFERED) {
            response.addHeader(NOT_FORWARDED, plain.reason().name());
        }
        long bytes = body.transferTo(response.getOutputStream());
        log.println(line + " -> " + answer.statusCode() + " (" + bytes + " B)"
                + (plain.reason() != UpgradeReason.Ignored.NOT_OFFERED
                        ? ", upgrade not forwarded: " + ((UpgradeDecision.Ignore) forward.attempt()).message()
                        : ""));
    }

    /** {@code host:port}, with brackets around an IPv6 address. */
    private static String authority(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
