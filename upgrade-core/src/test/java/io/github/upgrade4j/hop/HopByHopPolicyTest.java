package io.github.upgrade4j.hop;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopByHopPolicyTest {
    private final HopByHopPolicy policy = HopByHopPolicy.standard();

    private static Forwarding.Forward forward(Forwarding decision) {
        return assertInstanceOf(Forwarding.Forward.class, decision, decision::toString);
    }

    private static Forwarding.Refuse refuse(Forwarding decision) {
        return assertInstanceOf(Forwarding.Refuse.class, decision, decision::toString);
    }

    private static List<String> names(Headers headers) {
        return headers.fields().stream().map(f -> f.name().toString()).toList();
    }

    @Test
    void stripsTheFixedHopByHopFieldsFromARequest() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Keep-Alive: timeout=5\r
                Proxy-Connection: keep-alive\r
                TE: gzip\r
                Upgrade: websocket\r
                HTTP2-Settings: AAMAAABkAAQAAP__\r
                Accept: */*\r
                \r
                """)));

        assertEquals(List.of("Host", "Accept"), names(forward.headers()));
        assertEquals(5, forward.removals().size());
        assertTrue(forward.removals().stream().allMatch(r -> r.cause() == Forwarding.RemovalCause.HOP_BY_HOP));
    }

    @Test
    void stripsTransferEncodingSoTheCallerReframes() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                POST / HTTP/1.1\r
                Host: app\r
                Transfer-Encoding: chunked\r
                \r
                """)));

        assertEquals(List.of("Host"), names(forward.headers()));
    }

    @Test
    void stripsFieldsNominatedOnEveryConnectionLine() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: x-a\r
                X-A: 1\r
                connection: X-B, x-c\r
                x-b: 2\r
                X-C: 3\r
                X-D: 4\r
                \r
                """)));

        assertEquals(List.of("Host", "X-D"), names(forward.headers()));
        assertEquals(List.of(Forwarding.RemovalCause.CONNECTION, Forwarding.RemovalCause.NOMINATED,
                Forwarding.RemovalCause.CONNECTION, Forwarding.RemovalCause.NOMINATED, Forwarding.RemovalCause.NOMINATED),
                forward.removals().stream().map(Forwarding.Removal::cause).toList());
    }

    @Test
    void anEmptyFirstConnectionLineDoesNotHideTheSecond() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection:\r
                Connection: x-secret\r
                X-Secret: 1\r
                \r
                """)));

        assertEquals(List.of("Host"), names(forward.headers()));
    }

    @Test
    void nominationIsByTokenNotBySubstring() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: x-ab\r
                X-A: 1\r
                X-Ab: 2\r
                \r
                """)));

        assertEquals(List.of("Host", "X-A"), names(forward.headers()));
    }

    @Test
    void refusesAConnectionOptionThatIsNotAToken() {
        for (String value : List.of("x a", "\"x-a\"", ":authority", "x-a;q=1")) {
            Forwarding.Refuse refuse = refuse(policy.forRequest(
                    new RequestHead("GET", "/", HttpVersion.HTTP_1_1, Headers.of("Host", "a", "Connection", value))));
            assertEquals(Refusal.MALFORMED_CONNECTION, refuse.reason(), value);
            assertEquals(400, refuse.status());
            assertTrue(refuse.message().contains("RFC 9110 §7.6.1"), refuse.message());
        }
    }

    @Test
    void refusesMoreThan32ConnectionOptions() {
        String options = String.join(", ", java.util.Collections.nCopies(33, "x-a"));
        Forwarding.Refuse refuse = refuse(policy.forRequest(
                new RequestHead("GET", "/", HttpVersion.HTTP_1_1, Headers.of("Host", "a", "Connection", options))));

        assertEquals(Refusal.TOO_MANY_CONNECTION_OPTIONS, refuse.reason());
        String thirtyTwo = String.join(", ", java.util.Collections.nCopies(32, "x-a"));
        forward(policy.forRequest(new RequestHead("GET", "/", HttpVersion.HTTP_1_1,
                Headers.of("Host", "a", "Connection", thirtyTwo))));
    }

    @Test
    void keepsProtectedFieldsNominatedByTheClientAndReportsIt() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: Host, Authorization, cookie, Content-Length, Via, X-Real-IP, Forwarded, X-Forwarded-Proto\r
                Authorization: Bearer t\r
                Cookie: s=1\r
                Content-Length: 0\r
                Via: 1.1 a\r
                X-Real-IP: 10.0.0.1\r
                Forwarded: for=a\r
                X-Forwarded-Proto: https\r
                \r
                """)));

        assertEquals(List.of("Host", "Authorization", "Cookie", "Content-Length", "Via", "X-Real-IP", "Forwarded",
                "X-Forwarded-Proto"), names(forward.headers()));
        assertEquals(8, forward.notices().size());
        assertTrue(forward.notices().stream()
                .allMatch(n -> n.kind() == Forwarding.NoticeKind.PROTECTED_FIELD_NOMINATED));
    }

    @Test
    void refusesANominatedFieldTheOperatorProtectedWithRefuse() {
        HopByHopPolicy strict = HopByHopPolicy.builder().protect(HeaderName.of("X-F5-Auth-Token"), Protection.REFUSE).build();
        Forwarding.Refuse refuse = refuse(strict.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: keep-alive, X-F5-Auth-Token\r
                X-F5-Auth-Token: a\r
                \r
                """)));

        assertEquals(Refusal.PROTECTED_FIELD_NOMINATED, refuse.reason());
        assertEquals(400, refuse.status());
    }

    @Test
    void teTrailersIsForwardedOnlyWhenTheClientOfferedIt() {
        Forwarding.Forward offered = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: TE\r
                TE: gzip;q=0.5, trailers\r
                \r
                """)));
        Forwarding.Forward notOffered = forward(policy.forRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: TE\r
                TE: gzip\r
                \r
                """)));

        assertEquals(Headers.of("Host", "app", "TE", "trailers"), offered.headers());
        assertEquals(Headers.of("Host", "app", "TE", "trailers", "Connection", "keep-alive, te"),
                offered.edit().connection(UpstreamConnection.KEEP_ALIVE).build());
        assertEquals(Headers.of("Host", "app"), notOffered.headers());
    }

    @Test
    void trailerIsEndToEndUnlessNominated() {
        Forwarding.Forward forward = forward(policy.forRequest(request("""
                POST / HTTP/1.1\r
                Host: app\r
                Trailer: Server-Timing\r
                Transfer-Encoding: chunked\r
                \r
                """)));

        assertEquals(List.of("Host", "Trailer"), names(forward.headers()));
    }

    @Test
    void consumesProxyAuthenticationByDefaultAndForwardsItWhenConfigured() {
        RequestHead head = request("""
                GET / HTTP/1.1\r
                Host: app\r
                Proxy-Authorization: Basic dTpw\r
                \r
                """);

        Forwarding.Forward consumed = forward(policy.forRequest(head));
        assertEquals(List.of("Host"), names(consumed.headers()));
        assertEquals(Forwarding.RemovalCause.PROXY_AUTHENTICATION, consumed.removals().get(0).cause());
        HopByHopPolicy chained = HopByHopPolicy.builder().consumesProxyAuthentication(false).build();
        assertEquals(List.of("Host", "Proxy-Authorization"), names(forward(chained.forRequest(head)).headers()));
    }

    @Test
    void aRequestNeedingNothingKeepsItsHeadersInstance() {
        RequestHead head = request("GET / HTTP/1.1\r\nHost: app\r\nAccept: */*\r\n\r\n");

        Forwarding.Forward forward = forward(policy.forRequest(head));
        assertSame(head.headers(), forward.headers());
        assertFalse(forward.stripped());
    }

    @Test
    void upstreamConnectionFollowsTheUpgradeAndPooling() {
        Forwarding.Forward forward = forward(policy.forRequest(request("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")));
        assertEquals(Headers.of("Host", "a", "Connection", "upgrade"), forward.edit().connection(UpstreamConnection.UPGRADE).build());
    }

    @Test
    void stripsNominationsFromAFinalResponseEvenWithClose() {
        Forwarding.Forward forward = forward(policy.forResponse(response("""
                HTTP/1.1 200 OK\r
                Connection: X-Hop, close\r
                X-Hop: secret\r
                Keep-Alive: timeout=5\r
                Content-Length: 2\r
                \r
                """)));

        assertEquals(Headers.of("Content-Length", "2"), forward.headers());
    }

    @Test
    void stripsNominationsFromAnInterimResponseAndItsContentLength() {
        Forwarding.Forward forward = forward(policy.forResponse(response("""
                HTTP/1.1 103 Early Hints\r
                Link: </style.css>; rel=preload\r
                Connection: X-Internal\r
                X-Internal: 1\r
                Content-Length: 0\r
                \r
                """)));

        assertEquals(Headers.of("Link", "</style.css>; rel=preload"), forward.headers());
    }

    @Test
    void aRelayedSwitchKeepsExactlyConnectionUpgradeAndItsUpgrade() {
        Forwarding.Forward forward = forward(policy.forResponse(response("""
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                Connection: Upgrade, X-Backend, keep-alive\r
                X-Backend: node-7\r
                Keep-Alive: timeout=5\r
                Content-Length: 0\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                \r
                """)));

        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "upgrade",
                "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), forward.headers());
    }

    @Test
    void aSwitchWithoutConnectionGetsConnectionUpgrade() {
        Forwarding.Forward forward = forward(policy.forResponse(response("""
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                \r
                """)));

        assertEquals(Headers.of("Upgrade", "websocket", "Connection", "upgrade"), forward.headers());
    }

    @Test
    void refusesASwitchWithoutUpgradeWith502() {
        Forwarding.Refuse refuse = refuse(policy.forResponse(response("""
                HTTP/1.1 101 Switching Protocols\r
                Connection: upgrade\r
                \r
                """)));

        assertEquals(Refusal.SWITCH_WITHOUT_UPGRADE, refuse.reason());
        assertEquals(502, refuse.status());
    }

    @Test
    void malformedConnectionInAResponseIs502() {
        Forwarding.Refuse refuse = refuse(policy.forResponse(ResponseHead.of(200, Headers.of("Connection", "a b"))));

        assertEquals(502, refuse.status());
    }

    @Test
    void responsesLoseProxyAuthenticateWhenTheProxyConsumesIt() {
        Forwarding.Forward forward = forward(policy.forResponse(response("""
                HTTP/1.1 407 Proxy Authentication Required\r
                Proxy-Authenticate: Basic realm="upstream"\r
                Content-Length: 0\r
                \r
                """)));

        assertEquals(Headers.of("Content-Length", "0"), forward.headers());
    }

    @Test
    void http2BoundHeadsLoseEveryConnectionSpecificFieldButTeTrailers() {
        Forwarding.Forward forward = forward(policy.forHttp2(request("""
                POST /rpc HTTP/1.1\r
                Host: app\r
                Connection: keep-alive, TE\r
                Keep-Alive: 5\r
                Proxy-Connection: keep-alive\r
                Transfer-Encoding: chunked\r
                Upgrade: h2c\r
                TE: trailers\r
                Content-Type: application/grpc\r
                \r
                """)));

        assertEquals(Headers.of("Host", "app", "Content-Type", "application/grpc", "TE", "trailers"), forward.headers());
        assertTrue(forward.removals().stream()
                .allMatch(r -> r.cause() == Forwarding.RemovalCause.HTTP2_CONNECTION_SPECIFIC));
    }

    @Test
    void rejectsConnectionSpecificFieldsReceivedOverHttp2() {
        for (String[] field : new String[][] {{"Connection", "keep-alive"}, {"Keep-Alive", "5"}, {"Upgrade", "websocket"},
                {"Transfer-Encoding", "chunked"}, {"Proxy-Connection", "close"}, {"TE", "gzip"}}) {
            RequestHead h2 = new RequestHead("GET", "/", HttpVersion.HTTP_2, Headers.of(field[0], field[1]));
            Forwarding.Refuse refuse = HopByHopPolicy.checkReceivedOverHttp2(h2).orElseThrow();
            assertEquals(Refusal.HTTP2_CONNECTION_SPECIFIC_FIELD, refuse.reason());
            assertEquals(400, refuse.status());
        }
        assertTrue(HopByHopPolicy.checkReceivedOverHttp2(
                new RequestHead("GET", "/", HttpVersion.HTTP_2, Headers.of("TE", "trailers", "Accept", "*/*"))).isEmpty());
    }

    @Test
    void persistenceFollowsRfc9112() {
        assertTrue(Persistence.persists(request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), true));
        assertFalse(Persistence.persists(request("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"), false));
        assertTrue(Persistence.persists(request("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-closed\r\n\r\n"), false));
        assertFalse(Persistence.persists(request("GET / HTTP/1.0\r\n\r\n"), false));
        assertTrue(Persistence.persists(request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), false));
        assertFalse(Persistence.persists(request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), true));
        assertTrue(Persistence.persists(response("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n"), true));
        assertFalse(Persistence.persists(response("HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n\r\n"), true));
    }

    @Test
    void builderValidatesItsInput() {
        assertThrows(IllegalArgumentException.class, () -> HopByHopPolicy.builder().maxConnectionOptions(0));
        assertThrows(IllegalArgumentException.class, () -> HopByHopPolicy.builder().protect(HeaderName.of("bad name"), Protection.REFUSE));
        HopByHopPolicy custom = HopByHopPolicy.builder().maxConnectionOptions(2).build();
        assertEquals(Refusal.TOO_MANY_CONNECTION_OPTIONS, refuse(custom.toBuilder().build().forRequest(
                new RequestHead("GET", "/", HttpVersion.HTTP_1_1, Headers.of("Host", "a", "Connection", "a, b, c")))).reason());
    }
}
