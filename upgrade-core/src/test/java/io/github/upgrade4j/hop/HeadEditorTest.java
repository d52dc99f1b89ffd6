package io.github.upgrade4j.hop;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HeadEditor}: the kept lines of {@link HopByHopPolicy}, the policy's own lines, and the proxy's
 * {@code set}/{@code add}/{@code remove} and framing edits, composed in one pass. Expectations are
 * written as {@code Name: value} lines so that spelling and order are checked with the values.
 */
class HeadEditorTest {
    private static final HopByHopPolicy POLICY = HopByHopPolicy.standard();
    private static final HeaderName X_REQUEST_ID = HeaderName.of("X-Request-Id");

    private static final RequestHead TWO_REQUEST_IDS = request("""
            GET / HTTP/1.1\r
            Host: app\r
            X-Request-Id: from-client-1\r
            Accept: */*\r
            x-request-id: from-client-2\r
            Via: 1.1 cdn\r
            \r
            """);

    // ---- set ----

    @Test
    void setReplacesTheFirstKeptLineInPlaceAndDropsTheLaterLinesOfThatName() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(X_REQUEST_ID, "proxy-1");

        assertEquals(List.of("Host: app", "X-Request-Id: proxy-1", "Accept: */*", "Via: 1.1 cdn"), lines(edit.build()));
    }

    @Test
    void setWritesItsOwnSpellingOfTheNameInPlaceOfAReceivedSpelling() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(HeaderName.of("X-REQUEST-ID"), "p");

        assertEquals(List.of("Host: app", "X-REQUEST-ID: p", "Accept: */*", "Via: 1.1 cdn"), lines(edit.build()));
    }

    @Test
    void setAppendsWhenNoKeptLineHasTheName() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(HeaderName.of("X-Trace"), "t");

        assertEquals(List.of("Host: app", "X-Request-Id: from-client-1", "Accept: */*", "x-request-id: from-client-2",
                "Via: 1.1 cdn", "X-Trace: t"), lines(edit.build()));
    }

    @Test
    void setOfANameThePolicyRemovedAppendsAndTheRemovedLineStaysRemoved() {
        HeadEditor edit = editRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: X-Secret\r
                X-Secret: from-client\r
                Accept: */*\r
                \r
                """)).set(HeaderName.of("X-Secret"), "from-proxy");

        assertEquals(List.of("Host: app", "Accept: */*", "X-Secret: from-proxy"), lines(edit.build()));
    }

    @Test
    void repeatedSetKeepsOnlyTheLastValueInThePlaceOfTheFirstLine() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(X_REQUEST_ID, "a").set(X_REQUEST_ID, "b").set(X_REQUEST_ID, "c");

        assertEquals(List.of("Host: app", "X-Request-Id: c", "Accept: */*", "Via: 1.1 cdn"), lines(edit.build()));
    }

    @Test
    void repeatedSetOfAnAbsentNameAppendsOnlyTheLastValue() {
        HeaderName trace = HeaderName.of("X-Trace");
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(trace, "1").add(HeaderName.of("X-Other"), "o").set(trace, "2");

        assertEquals(List.of("Host: app", "X-Request-Id: from-client-1", "Accept: */*", "x-request-id: from-client-2",
                "Via: 1.1 cdn", "X-Other: o", "X-Trace: 2"), lines(edit.build()));
    }

    // ---- add and remove ----

    @Test
    void addAppendsAfterTheKeptLinesInCallOrderWithSetsThatFoundNoLine() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS)
                .add(HeaderName.VIA, "1.1 a")
                .set(HeaderName.of("X-New"), "n")
                .set(X_REQUEST_ID, "in-place")
                .add(HeaderName.VIA, "1.1 b");

        assertEquals(List.of("Host: app", "X-Request-Id: in-place", "Accept: */*", "Via: 1.1 cdn",
                "Via: 1.1 a", "X-New: n", "Via: 1.1 b"), lines(edit.build()));
    }

    @Test
    void addAfterASetOfTheSameNameKeepsBoth() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(X_REQUEST_ID, "first").add(X_REQUEST_ID, "second");

        assertEquals(List.of("Host: app", "X-Request-Id: first", "Accept: */*", "Via: 1.1 cdn", "X-Request-Id: second"),
                lines(edit.build()));
    }

    @Test
    void aSetCancelsEarlierAddsOfTheNameAndTakesItsOwnTurnInCallOrder() {
        HeaderName trace = HeaderName.of("X-Trace");
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).add(trace, "added").add(HeaderName.of("X-Other"), "o").set(trace, "set");

        assertEquals(List.of("Host: app", "X-Request-Id: from-client-1", "Accept: */*", "x-request-id: from-client-2",
                "Via: 1.1 cdn", "X-Other: o", "X-Trace: set"), lines(edit.build()));
    }

    @Test
    void removeDropsEveryKeptLineOfTheNameWhateverItsSpelling() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).remove(HeaderName.of("x-REQUEST-id"));

        assertEquals(List.of("Host: app", "Accept: */*", "Via: 1.1 cdn"), lines(edit.build()));
    }

    @Test
    void removeCancelsEarlierAddsOfTheNameButNotLaterOnes() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).add(HeaderName.VIA, "1.1 early").remove(HeaderName.VIA)
                .add(HeaderName.VIA, "1.1 late");

        assertEquals(List.of("Host: app", "X-Request-Id: from-client-1", "Accept: */*", "x-request-id: from-client-2",
                "Via: 1.1 late"), lines(edit.build()));
    }

    @Test
    void removeOfANameNoLineHasChangesNothing() {
        Forwarding.Forward forward = forwardRequest(TWO_REQUEST_IDS);

        assertEquals(lines(forward.headers()), lines(forward.edit().remove(HeaderName.of("X-Absent")).build()));
    }

    @Test
    void aRemoveAfterASetWins() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(X_REQUEST_ID, "proxy").remove(X_REQUEST_ID);

        assertEquals(List.of("Host: app", "Accept: */*", "Via: 1.1 cdn"), lines(edit.build()));
    }

    @Test
    void aSetAfterARemoveWinsAndStillTakesThePlaceOfTheFirstReceivedLine() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).remove(X_REQUEST_ID).set(X_REQUEST_ID, "proxy");

        assertEquals(List.of("Host: app", "X-Request-Id: proxy", "Accept: */*", "Via: 1.1 cdn"), lines(edit.build()));
    }

    // ---- validation ----

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Evil: 1", "a\nX-Evil: 1", "a\rb", "a\0b", "a\u007fb", "\u0001", " leading",
            "trailing\t", "wide\u0100"})
    void setAndAddRejectAValueThatIsNotAFieldValueAtOnce(String value) {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS);

        assertThrows(IllegalArgumentException.class, () -> edit.set(X_REQUEST_ID, value));
        assertThrows(IllegalArgumentException.class, () -> edit.add(X_REQUEST_ID, value));
        assertEquals(lines(forwardRequest(TWO_REQUEST_IDS).headers()), lines(edit.build()), "nothing was recorded");
    }

    @Test
    void aRejectedSetDoesNotCancelTheEarlierEditsOfItsName() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).set(X_REQUEST_ID, "kept").add(HeaderName.VIA, "1.1 kept");

        assertThrows(IllegalArgumentException.class, () -> edit.set(X_REQUEST_ID, "bad\r\nX-Evil: 1"));
        assertThrows(IllegalArgumentException.class, () -> edit.set(HeaderName.VIA, "bad\n"));

        assertEquals(List.of("Host: app", "X-Request-Id: kept", "Accept: */*", "Via: 1.1 cdn", "Via: 1.1 kept"),
                lines(edit.build()));
    }

    @Test
    void anEmptyValueIsAllowed() {
        assertEquals(List.of("Host: app", "X-Request-Id: ", "Accept: */*", "Via: 1.1 cdn"),
                lines(editRequest(TWO_REQUEST_IDS).set(X_REQUEST_ID, "").build()));
    }

    // ---- connection ----

    @Test
    void connectionTowardAnUpstreamNominatesTeWhenTeTrailersIsForwarded() {
        HeadEditor edit = editRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: TE, close\r
                TE: gzip;q=0.5, trailers\r
                te: trailers\r
                \r
                """)).connection(UpstreamConnection.KEEP_ALIVE);

        Headers out = edit.build();
        assertEquals(List.of("Host: app", "TE: trailers", "Connection: keep-alive, te"), lines(out));
        assertEquals(List.of("trailers"), out.values(HeaderName.TE), "TE is forwarded exactly once");
    }

    @ParameterizedTest
    @CsvSource({"UPGRADE, upgrade", "KEEP_ALIVE, keep-alive", "CLOSE, close"})
    void connectionWithoutTeTrailersIsTheBareValueAndNoReceivedConnectionLineRemains(UpstreamConnection value,
            String expected) {
        HeadEditor edit = editRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                Connection: keep-alive\r
                TE: gzip\r
                connection: X-Hop\r
                X-Hop: 1\r
                Accept: */*\r
                \r
                """)).connection(value);

        assertEquals(List.of("Host: app", "Accept: */*", "Connection: " + expected), lines(edit.build()));
    }

    @Test
    void aLaterConnectionReplacesAnEarlierOne() {
        HeadEditor edit = editRequest(TWO_REQUEST_IDS).connection(UpstreamConnection.UPGRADE)
                .connection(UpstreamConnection.CLOSE);

        assertEquals(List.of("close"), edit.build().values(HeaderName.CONNECTION));
    }

    private static final ResponseHead RELAYED_SWITCH = response("""
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade, X-Foo\r
            X-Foo: 1\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """);

    @Test
    void aRelayedSwitchHasTheConnectionUpgradeOfThePolicyWhereItsFirstConnectionLineWas() {
        assertEquals(List.of("Upgrade: websocket", "Connection: upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                lines(editResponse(RELAYED_SWITCH).build()));
    }

    /**
     * The editor writes what the proxy asks and never checks it against the policy again (class doc), so
     * {@code connection(CLOSE)} on a 101 takes the place of the policy's {@code Connection: upgrade}; a
     * proxy relaying a switch has no reason to call it, and {@link io.github.upgrade4j.upgrade.Verdict}
     * does not.
     */
    @Test
    void connectionOnARelayedSwitchReplacesThePolicysConnectionUpgradeInPlace() {
        HeadEditor edit = editResponse(RELAYED_SWITCH).add(HeaderName.of("X-Late"), "l").connection(UpstreamConnection.CLOSE);

        Headers out = edit.build();
        assertEquals(List.of("Upgrade: websocket", "Connection: close", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "X-Late: l"), lines(out));
        assertEquals(List.of("close"), out.values(HeaderName.CONNECTION), "one Connection line");
    }

    @Test
    void removingConnectionFromARelayedSwitchDropsThePolicysLine() {
        assertFalse(editResponse(RELAYED_SWITCH).remove(HeaderName.CONNECTION).build().contains(HeaderName.CONNECTION));
    }

    @Test
    void aSwitchWithoutConnectionGetsThePolicysLineLastAndASetTakesThatPlaceBeforeAdds() {
        HeadEditor edit = editResponse(response("""
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                X-A: 1\r
                \r
                """));
        assertEquals(List.of("Upgrade: websocket", "X-A: 1", "Connection: upgrade"), lines(edit.build()));

        edit.add(HeaderName.of("X-B"), "2").set(HeaderName.CONNECTION, "upgrade, x-b");
        assertEquals(List.of("Upgrade: websocket", "X-A: 1", "Connection: upgrade, x-b", "X-B: 2"), lines(edit.build()));
    }

    @Test
    void aSetOfTeReplacesThePolicysTeTrailersInPlace() {
        HeadEditor edit = editRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                TE: trailers\r
                Accept: */*\r
                \r
                """)).add(HeaderName.of("X-A"), "1").set(HeaderName.TE, "trailers, gzip");

        assertEquals(List.of("Host: app", "Accept: */*", "TE: trailers, gzip", "X-A: 1"), lines(edit.build()));
    }

    // ---- forwarded ----

    private static final RequestHead SPOOFING = request("""
            GET / HTTP/1.1\r
            Host: app.example\r
            X-Forwarded-For: 1.1.1.1, 2.2.2.2\r
            X-Real-IP: 6.6.6.6\r
            Accept: */*\r
            x-forwarded-for: 3.3.3.3\r
            x-real-ip: 7.7.7.7\r
            X-Forwarded-Port: 1\r
            \r
            """);

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4\r\nX-Evil: 1", "1.2.3.4\nX-Evil: 1", "1.2.3.4\r", "1.2.3.4\0", "1.2.3.4 ",
            "\"1.2.3.4\"", "1.2.3.4,5.6.7.8", "", "caf\u00e9"})
    void forwardedRejectsAClientAddressThatIsNotOneVisibleTokenBeforeWritingAnything(String clientAddress) {
        HeadEditor edit = editRequest(SPOOFING);

        assertThrows(IllegalArgumentException.class,
                () -> edit.forwarded(ForwardedFields.builder().via("edge").build(), SPOOFING, clientAddress));
        assertEquals(lines(forwardRequest(SPOOFING).headers()), lines(edit.build()), "no field was removed or written");
    }

    @Test
    void forwardedWithTrustIncomingExtendsEveryReceivedXForwardedForInPlaceOfTheFirstLine() {
        HeadEditor edit = editRequest(SPOOFING)
                .forwarded(ForwardedFields.builder().trustIncoming(true).build(), SPOOFING, "10.0.0.9");

        assertEquals(List.of("Host: app.example", "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9", "X-Real-IP: 6.6.6.6",
                "Accept: */*", "x-real-ip: 7.7.7.7", "X-Forwarded-Port: 1", "X-Forwarded-Proto: http",
                "X-Forwarded-Host: app.example"), lines(edit.build()));
    }

    @Test
    void forwardedAtTheEdgeDropsEverySpoofedXRealIpAndStartsTheChainAfresh() {
        HeadEditor edit = editRequest(SPOOFING).forwarded(ForwardedFields.builder().build(), SPOOFING, "203.0.113.7");

        Headers out = edit.build();
        assertEquals(List.of("Host: app.example", "X-Forwarded-For: 203.0.113.7", "Accept: */*", "X-Forwarded-Proto: http",
                "X-Forwarded-Host: app.example"), lines(out));
        assertFalse(out.contains(HeaderName.X_REAL_IP));
        assertFalse(out.contains(HeaderName.X_FORWARDED_PORT));
    }

    @Test
    void aClientCannotNominateAwayTheFieldsTheProxyWrites() {
        RequestHead nominating = request("""
                GET / HTTP/1.1\r
                Host: app.example\r
                Connection: X-Forwarded-For, Via, X-Forwarded-Proto\r
                \r
                """);
        HeadEditor edit = editRequest(nominating)
                .forwarded(ForwardedFields.builder().via("edge").build(), nominating, "203.0.113.7");

        assertEquals(List.of("Host: app.example", "X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: http",
                "X-Forwarded-Host: app.example", "Via: 1.1 edge"), lines(edit.build()));
    }

    @Test
    void anEditAfterForwardedOverridesWhatItWrote() {
        HeadEditor edit = editRequest(SPOOFING).forwarded(ForwardedFields.builder().build(), SPOOFING, "203.0.113.7")
                .set(HeaderName.X_FORWARDED_PROTO, "https").remove(HeaderName.X_FORWARDED_HOST);

        assertEquals(List.of("Host: app.example", "X-Forwarded-For: 203.0.113.7", "Accept: */*", "X-Forwarded-Proto: https"),
                lines(edit.build()));
    }

    // ---- requestBody ----

    @Test
    void aChunkedRequestBodyIsSentWithExactlyOneTransferEncodingChunked() {
        RequestHead head = request("""
                POST /upload HTTP/1.1\r
                Host: app\r
                Transfer-Encoding: gzip, chunked\r
                Accept: */*\r
                \r
                """);
        BodyFraming framing = BodyFraming.ofRequest(head);
        assertInstanceOf(BodyFraming.Chunked.class, framing);

        assertEquals(List.of("Host: app", "Accept: */*", "Transfer-Encoding: chunked"),
                lines(editRequest(head).requestBody(framing).build()));
    }

    @Test
    void aFixedLengthRequestBodyKeepsItsContentLengthAndGetsNoTransferEncoding() {
        RequestHead head = request("""
                POST /upload HTTP/1.1\r
                Host: app\r
                Content-Length: 5\r
                \r
                """);
        BodyFraming framing = BodyFraming.ofRequest(head);
        assertEquals(new BodyFraming.FixedLength(5), framing);

        assertEquals(List.of("Host: app", "Content-Length: 5"), lines(editRequest(head).requestBody(framing).build()));
    }

    @Test
    void aRequestWithoutBodyIsLeftAsThePolicyKeptIt() {
        RequestHead head = request("""
                GET / HTTP/1.1\r
                Host: app\r
                Keep-Alive: timeout=5\r
                \r
                """);
        BodyFraming framing = BodyFraming.ofRequest(head);
        assertInstanceOf(BodyFraming.None.class, framing);

        assertEquals(List.of("Host: app"), lines(editRequest(head).requestBody(framing).build()));
    }

    // ---- responseBody ----

    private static final Map<String, RequestHead> CLIENTS = Map.of(
            "HTTP/1.1 -", request("GET / HTTP/1.1\r\nHost: app\r\n\r\n"),
            "HTTP/1.1 close", request("GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 keep-alive", request("GET / HTTP/1.1\r\nHost: app\r\nConnection: keep-alive\r\n\r\n"),
            "HTTP/1.0 -", request("GET / HTTP/1.0\r\nHost: app\r\n\r\n"),
            "HTTP/1.0 close", request("GET / HTTP/1.0\r\nHost: app\r\nConnection: close\r\n\r\n"),
            "HTTP/1.0 keep-alive", request("GET / HTTP/1.0\r\nHost: app\r\nConnection: keep-alive\r\n\r\n"));

    /** The upstream's responses, one per framing; the policy keeps {@code Content-Length} and {@code Server}. */
    private static final Map<String, ResponseHead> UPSTREAM = Map.of(
            "FixedLength", response("""
                    HTTP/1.1 200 OK\r
                    Content-Length: 5\r
                    Connection: keep-alive\r
                    Server: up\r
                    \r
                    """),
            "Chunked", response("""
                    HTTP/1.1 200 OK\r
                    Transfer-Encoding: chunked\r
                    Server: up\r
                    \r
                    """),
            "UntilClose", response("""
                    HTTP/1.1 200 OK\r
                    Connection: close\r
                    Server: up\r
                    \r
                    """),
            "None", response("""
                    HTTP/1.1 204 No Content\r
                    Server: up\r
                    \r
                    """));

    /**
     * RFC 9112 §9.3 with the proxy's framing choice. An HTTP/1.1 client gets an until-close or chunked
     * body chunked and may keep its connection; an HTTP/1.0 client gets every body as it comes and its
     * connection closes (a proxy ignores its {@code keep-alive}); {@code mustClose} and a client's
     * {@code close} always close. The last column is every line the editor writes after the kept ones.
     */
    @ParameterizedTest(name = "{0} client, Connection: {3}, {1} body, mustClose={2} -> chunked={4}, persists={5}, {6}")
    @CsvSource(delimiter = '|', textBlock = """
            # client | upstream body | mustClose | client's Connection | chunked() | persists() | lines the editor writes
            HTTP/1.1 | FixedLength   | false     | -                   | false     | true       | -
            HTTP/1.1 | FixedLength   | false     | close               | false     | false      | Connection: close
            HTTP/1.1 | FixedLength   | true      | -                   | false     | false      | Connection: close
            HTTP/1.1 | FixedLength   | true      | close               | false     | false      | Connection: close
            HTTP/1.1 | Chunked       | false     | -                   | true      | true       | Transfer-Encoding: chunked
            HTTP/1.1 | Chunked       | false     | close               | true      | false      | Transfer-Encoding: chunked; Connection: close
            HTTP/1.1 | Chunked       | true      | -                   | true      | false      | Transfer-Encoding: chunked; Connection: close
            HTTP/1.1 | Chunked       | true      | close               | true      | false      | Transfer-Encoding: chunked; Connection: close
            HTTP/1.1 | UntilClose    | false     | -                   | true      | true       | Transfer-Encoding: chunked
            HTTP/1.1 | UntilClose    | false     | close               | true      | false      | Transfer-Encoding: chunked; Connection: close
            HTTP/1.1 | UntilClose    | true      | -                   | true      | false      | Transfer-Encoding: chunked; Connection: close
            HTTP/1.1 | UntilClose    | true      | close               | true      | false      | Transfer-Encoding: chunked; Connection: close
            HTTP/1.1 | None          | false     | -                   | false     | true       | -
            HTTP/1.1 | None          | false     | close               | false     | false      | Connection: close
            HTTP/1.1 | None          | true      | -                   | false     | false      | Connection: close
            HTTP/1.1 | None          | true      | close               | false     | false      | Connection: close
            HTTP/1.0 | FixedLength   | false     | -                   | false     | false      | Connection: close
            HTTP/1.0 | FixedLength   | false     | close               | false     | false      | Connection: close
            HTTP/1.0 | FixedLength   | true      | -                   | false     | false      | Connection: close
            HTTP/1.0 | FixedLength   | true      | close               | false     | false      | Connection: close
            HTTP/1.0 | Chunked       | false     | -                   | false     | false      | Connection: close
            HTTP/1.0 | Chunked       | false     | close               | false     | false      | Connection: close
            HTTP/1.0 | Chunked       | true      | -                   | false     | false      | Connection: close
            HTTP/1.0 | Chunked       | true      | close               | false     | false      | Connection: close
            HTTP/1.0 | UntilClose    | false     | -                   | false     | false      | Connection: close
            HTTP/1.0 | UntilClose    | false     | close               | false     | false      | Connection: close
            HTTP/1.0 | UntilClose    | true      | -                   | false     | false      | Connection: close
            HTTP/1.0 | UntilClose    | true      | close               | false     | false      | Connection: close
            HTTP/1.0 | None          | false     | -                   | false     | false      | Connection: close
            HTTP/1.0 | None          | false     | close               | false     | false      | Connection: close
            HTTP/1.0 | None          | true      | -                   | false     | false      | Connection: close
            HTTP/1.0 | None          | true      | close               | false     | false      | Connection: close
            # keep-alive changes nothing: HTTP/1.1 persists anyway, and a proxy does not keep an HTTP/1.0 client
            HTTP/1.1 | FixedLength   | false     | keep-alive          | false     | true       | -
            HTTP/1.1 | UntilClose    | false     | keep-alive          | true      | true       | Transfer-Encoding: chunked
            HTTP/1.0 | FixedLength   | false     | keep-alive          | false     | false      | Connection: close
            HTTP/1.0 | Chunked       | false     | keep-alive          | false     | false      | Connection: close
            """)
    void responseBodyFramesForTheClientAndDecidesWhetherItsConnectionPersists(String client, String body,
            boolean mustClose, String clientConnection, boolean chunked, boolean persists, String written) {
        RequestHead request = CLIENTS.get(client + " " + clientConnection);
        ResponseHead upstream = UPSTREAM.get(body);
        BodyFraming framing = BodyFraming.ofResponse(upstream, request.method());
        assertEquals(body, framing.getClass().getSimpleName(), "the upstream's framing");
        Forwarding.Forward forward = forward(POLICY.forResponse(upstream));

        HeadEditor edit = forward.edit().responseBody(request, framing, mustClose);

        assertEquals(chunked, edit.chunked(), "chunked()");
        assertEquals(persists, edit.persists(), "persists()");
        List<String> expected = new ArrayList<>(lines(forward.headers()));
        if (!written.equals("-")) {
            expected.addAll(Arrays.asList(written.split("; ")));
        }
        assertEquals(expected, lines(edit.build()));
    }

    @Test
    void framingTwiceStillWritesOneTransferEncodingLine() {
        RequestHead chunked = request("""
                POST /upload HTTP/1.1\r
                Host: app\r
                Transfer-Encoding: chunked\r
                \r
                """);
        BodyFraming framing = BodyFraming.ofRequest(chunked);
        assertEquals(List.of("Host: app", "Transfer-Encoding: chunked"),
                lines(editRequest(chunked).requestBody(framing).requestBody(framing).build()));

        HeadEditor twice = editResponse(UPSTREAM.get("Chunked"))
                .responseBody(CLIENTS.get("HTTP/1.1 -"), new BodyFraming.Chunked(), false)
                .responseBody(CLIENTS.get("HTTP/1.1 -"), new BodyFraming.Chunked(), false);
        assertEquals(1, twice.build().values(HeaderName.TRANSFER_ENCODING).size());
    }

    @Test
    void responseBodyRefusesATunnelOrAnInvalidFraming() {
        HeadEditor edit = editResponse(UPSTREAM.get("FixedLength"));

        assertThrows(IllegalArgumentException.class,
                () -> edit.responseBody(CLIENTS.get("HTTP/1.1 -"), new BodyFraming.Tunnel(), false));
        assertThrows(IllegalArgumentException.class, () -> edit.responseBody(CLIENTS.get("HTTP/1.1 -"),
                new BodyFraming.Invalid(io.github.upgrade4j.http.FramingProblem.values()[0], "x", 400), false));
    }

    @Test
    void beforeResponseBodyNothingIsChunkedAndTheConnectionPersists() {
        HeadEditor edit = editResponse(UPSTREAM.get("Chunked"));

        assertFalse(edit.chunked());
        assertTrue(edit.persists());
        assertEquals(List.of("Server: up"), lines(edit.build()));
    }

    @Test
    void responseBodyAfterAnEarlierConnectionCloseWritesOneConnectionLine() {
        HeadEditor edit = editResponse(UPSTREAM.get("FixedLength")).set(HeaderName.CONNECTION, "close")
                .responseBody(CLIENTS.get("HTTP/1.1 -"), new BodyFraming.FixedLength(5), true);

        assertEquals(List.of("Content-Length: 5", "Server: up", "Connection: close"), lines(edit.build()));
    }

    @Test
    void aPersistingResponseBodyRemovesConnectionLinesSetBeforeIt() {
        HeadEditor edit = editResponse(UPSTREAM.get("FixedLength")).set(HeaderName.CONNECTION, "keep-alive")
                .responseBody(CLIENTS.get("HTTP/1.1 -"), new BodyFraming.FixedLength(5), false);

        assertTrue(edit.persists());
        assertFalse(edit.build().contains(HeaderName.CONNECTION));
    }

    // ---- build ----

    @Test
    void buildingTwiceGivesEqualHeaders() {
        HeadEditor edit = everyKindOfEdit();

        Headers first = edit.build();
        Headers second = edit.build();

        assertEquals(first, second);
        assertEquals(lines(first), lines(second));
        assertEquals(List.of("Host: app", "X-Request-Id: in-place", "Accept: */*", "TE: trailers", "X-Trace: t",
                "Via: 1.1 edge", "Connection: keep-alive, te"), lines(second));
    }

    @Test
    void editingAfterABuildGivesTheNewHeadAndLeavesTheFirstOneAsItWas() {
        HeadEditor edit = everyKindOfEdit();
        Headers first = edit.build();
        List<String> firstLines = lines(first);

        edit.set(X_REQUEST_ID, "changed").add(HeaderName.of("X-Late"), "l").remove(HeaderName.of("X-Trace"))
                .remove(HeaderName.TE);
        Headers second = edit.build();

        assertEquals(firstLines, lines(first), "the first build is unchanged");
        assertEquals(List.of("Host: app", "X-Request-Id: changed", "Accept: */*", "Via: 1.1 edge",
                "Connection: keep-alive, te", "X-Late: l"), lines(second));
        assertEquals(lines(second), lines(edit.build()), "and building again gives the same");
    }

    /** Kept lines, an in-place set, a set that appends, an add, a remove and a policy line. */
    private static HeadEditor everyKindOfEdit() {
        return editRequest(request("""
                GET / HTTP/1.1\r
                Host: app\r
                X-Request-Id: from-client\r
                Connection: TE, X-Hop\r
                X-Hop: 1\r
                Accept: */*\r
                TE: trailers\r
                Cookie: a=b\r
                \r
                """))
                .set(X_REQUEST_ID, "in-place")
                .set(HeaderName.of("X-Trace"), "t")
                .add(HeaderName.VIA, "1.1 edge")
                .remove(HeaderName.COOKIE)
                .connection(UpstreamConnection.KEEP_ALIVE);
    }

    // ---- helpers ----

    private static Forwarding.Forward forward(Forwarding decision) {
        return assertInstanceOf(Forwarding.Forward.class, decision, decision::toString);
    }

    private static Forwarding.Forward forwardRequest(RequestHead head) {
        return forward(POLICY.forRequest(head));
    }

    private static HeadEditor editRequest(RequestHead head) {
        return forwardRequest(head).edit();
    }

    private static HeadEditor editResponse(ResponseHead head) {
        return forward(POLICY.forResponse(head)).edit();
    }

    /** {@code Name: value} per line, the name spelled as sent; {@link Headers#toString} would hide credentials. */
    static List<String> lines(Headers headers) {
        List<String> out = new ArrayList<>();
        for (HeaderField field : headers) {
            out.add(field.name() + ": " + field.value());
        }
        return out;
    }
}
