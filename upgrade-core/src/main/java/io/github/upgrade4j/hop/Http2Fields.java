package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.MessageHead;
import io.github.upgrade4j.http.RequestHead;
import java.util.Optional;

/**
 * The fields HTTP/2 forbids in a field set it carries (RFC 9113 §8.2.2): {@code Connection},
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code Transfer-Encoding}, {@code Upgrade}, and
 * {@code TE} with anything but {@code trailers}. Behind {@link HopByHopPolicy#checkReceivedOverHttp2}.
 */
final class Http2Fields {
    private Http2Fields() {}

    static Optional<Forwarding.Refuse> check(MessageHead head) {
        Headers headers = head.headers();
        int status = head instanceof RequestHead ? 400 : 502;
        for (int i = 0; i < headers.size(); i++) {
            HeaderName name = headers.name(i);
            boolean forbidden = name.equals(HeaderName.CONNECTION) || name.equals(HeaderName.KEEP_ALIVE)
                    || name.equals(HeaderName.PROXY_CONNECTION) || name.equals(HeaderName.TRANSFER_ENCODING)
                    || name.equals(HeaderName.UPGRADE)
                    || name.equals(HeaderName.TE) && !headers.value(i).equalsIgnoreCase("trailers");
            if (forbidden) {
                return Optional.of(new Forwarding.Refuse(Refusal.HTTP2_CONNECTION_SPECIFIC_FIELD,
                        "expected no connection-specific field over HTTP/2 but found " + headers.field(i), status));
            }
        }
        return Optional.empty();
    }
}
