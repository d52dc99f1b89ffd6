package io.github.upgrade4j.upgrade;

import io.github.upgrade4j.hop.Forwarding;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.Reason;
import io.github.upgrade4j.http.ResponseHead;
import java.nio.charset.StandardCharsets;

/** Wording, bodies and error heads shared by every decision and verdict of this package. */
final class Messages {
    private Messages() {}

    static String message(Reason reason, String detail) {
        return detail + ". " + reason.explanation() + " (" + reason.spec() + ")";
    }

    static byte[] body(Reason reason, String detail) {
        return (message(reason, detail) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The head of an error answer with {@code status}, whose body is {@link #body}; the connection closes after it. */
    static ResponseHead errorHead(Reason reason, String detail, int status) {
        Headers.Builder headers = Headers.builder();
        if (reason == UpgradeReason.Refused.WEBSOCKET_VERSION_UNSUPPORTED) {
            // RFC 6455 §4.2.2 and RFC 9110 §15.5.22: say which version and protocol are required.
            headers.add(HeaderName.SEC_WEBSOCKET_VERSION, WebSocketHandshake.VERSION)
                    .add(HeaderName.UPGRADE, "websocket")
                    .add(HeaderName.CONNECTION, "upgrade, close");
        } else {
            headers.add(HeaderName.CONNECTION, "close");
        }
        headers.add(HeaderName.CONTENT_TYPE, "text/plain; charset=utf-8")
                .add(HeaderName.CONTENT_LENGTH, Integer.toString(body(reason, detail).length));
        return ResponseHead.of(status, headers.build());
    }

    /**
     * A refusal of the hop-by-hop policy passed on as itself, answered with its own status (400 for a
     * request, 502 for an upstream's response).
     */
    static ErrorAnswer refused(Forwarding.Refuse refused) {
        return new ErrorAnswer(refused.reason(), refused.detail(),
                errorHead(refused.reason(), refused.detail(), refused.status()));
    }

    static ErrorAnswer reject(UpgradeReason.Refused reason, String detail) {
        return new ErrorAnswer(reason, detail, errorHead(reason, detail, reason.status()));
    }
}
