package io.github.upgrade4j.upgrade;

import static io.github.upgrade4j.http.RawHeads.request;
import static io.github.upgrade4j.http.RawHeads.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.FlightRecording;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;

/**
 * The upgrade decisions as flight-recorder events ({@code io.github.upgrade4j.UpgradeDecision}), read
 * back through a {@code RecordingStream}: each role's decision with its protocol, reason, status and
 * detail, and no event for an ordinary request, which offered nothing to decide.
 */
class DecisionFlightRecorderTest {
    private static final String OFFER = """
            GET /chat HTTP/1.1\r
            Host: example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            \r
            """;
    private static final String SWITCHED = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r
            """;

    private static boolean is(RecordedEvent event, String role, String decision) {
        return event.getString("role").equals(role) && event.getString("decision").equals(decision);
    }

    @Test
    void recordsTheOriginsSwitchAndRefusalButNotAnOrdinaryRequest() {
        try (FlightRecording recording = FlightRecording.of("UpgradeDecision")) {
            UpgradeNegotiator origin = UpgradeNegotiator.standard();
            assertInstanceOf(UpgradeDecision.Ignore.class, origin.decide(request("""
                    GET /plain HTTP/1.1\r
                    Host: example.com\r
                    \r
                    """)));
            assertInstanceOf(UpgradeDecision.Switch.class, origin.decide(request(OFFER)));
            ErrorAnswer refused = assertInstanceOf(ErrorAnswer.class,
                    origin.decide(request(OFFER.replace("Version: 13", "Version: 99"))));

            RecordedEvent switched = recording.await("UpgradeDecision", 1, e -> is(e, "origin", "switch")).get(0);
            assertEquals("websocket", switched.getString("protocol"));
            assertEquals(101, switched.getInt("status"));
            assertEquals("", switched.getString("reason"));
            RecordedEvent refusal = recording.await("UpgradeDecision", 1, e -> is(e, "origin", "refuse")).get(0);
            assertEquals(refused.reason().name(), refusal.getString("reason"));
            assertEquals(426, refusal.getInt("status"));
            assertEquals(refused.detail(), refusal.getString("detail"));
            assertTrue(recording.read("UpgradeDecision").stream()
                            .noneMatch(e -> e.getString("reason").equals("NOT_OFFERED")),
                    "an ordinary request is no upgrade decision");
        }
    }

    @Test
    void recordsTheProxysForwardAndItsJudgementOfTheUpstreamsAnswer() {
        try (FlightRecording recording = FlightRecording.of("UpgradeDecision")) {
            ProxyUpgrade proxy = ProxyUpgrade.standard();
            Outbound.Forward forward = assertInstanceOf(Outbound.Forward.class, proxy.towardUpstream(request(OFFER)));
            assertInstanceOf(Verdict.Tunnel.class, proxy.judge(forward.attempt(), response(SWITCHED)));
            assertInstanceOf(Verdict.Plain.class, proxy.judge(forward.attempt(), response("""
                    HTTP/1.1 403 Forbidden\r
                    Content-Length: 0\r
                    \r
                    """)));
            ErrorAnswer badAccept = assertInstanceOf(ErrorAnswer.class, proxy.judge(forward.attempt(),
                    response(SWITCHED.replace("s3pPLMBiTxaQ9kYGzzhZRbK", "AAAAAAAAAAAAAAAAAAAAAAA"))));
            Outbound.Forward plainOffer = assertInstanceOf(Outbound.Forward.class,
                    proxy.towardUpstream(request(OFFER.replace("Upgrade: websocket", "Upgrade: IRC/6.9"))));

            RecordedEvent forwarded = recording.await("UpgradeDecision", 1, e -> is(e, "proxy request", "forward"))
                    .get(0);
            assertEquals("websocket", forwarded.getString("protocol"));
            assertEquals(0, forwarded.getInt("status"));
            RecordedEvent tunnel = recording.await("UpgradeDecision", 1, e -> is(e, "proxy response", "tunnel")).get(0);
            assertEquals("websocket", tunnel.getString("protocol"));
            assertEquals(101, tunnel.getInt("status"));
            RecordedEvent plain = recording.await("UpgradeDecision", 1, e -> is(e, "proxy response", "plain")).get(0);
            assertEquals("NOT_SWITCHED", plain.getString("reason"));
            assertEquals(403, plain.getInt("status"));
            RecordedEvent invalid = recording.await("UpgradeDecision", 1, e -> is(e, "proxy response", "refuse"))
                    .get(0);
            assertEquals(badAccept.reason().name(), invalid.getString("reason"));
            assertEquals(502, invalid.getInt("status"));
            assertEquals(badAccept.detail(), invalid.getString("detail"));
            UpgradeDecision.Ignore why = assertInstanceOf(UpgradeDecision.Ignore.class, plainOffer.attempt());
            RecordedEvent notForwarded = recording.await("UpgradeDecision", 1,
                    e -> is(e, "proxy request", "forward plain")).get(0);
            assertEquals(why.reason().name(), notForwarded.getString("reason"));
            assertEquals(why.detail(), notForwarded.getString("detail"));
            assertEquals(List.of(), recording.read("UpgradeDecision").stream()
                    .filter(e -> e.getString("role").equals("origin")).toList(), "no origin decided here");
        }
    }
}
