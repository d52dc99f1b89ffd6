package io.github.upgrade4j.examples.servlet;

import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * Adapters between the Servlet request model and upgrade4j's heads, so that a servlet can run the
 * library's policy and negotiation on what the container parsed.
 *
 * <p>{@link #request} rebuilds the request head: method, target (the raw path and query, as received),
 * version and every field line. The container already parsed the bytes, so a few wire details are
 * gone: fields come grouped by name in the order each name first appeared (lines of different names
 * interleaved on the wire are regrouped; lines of one name keep their order), and the container may
 * have trimmed or rejected values. {@link #write} sets a response head on a servlet response: its
 * status and every field line in order, with {@code Content-Length} and {@code Content-Type} going
 * through the container, which frames the body by the first and may rewrite the second (Jetty writes
 * {@code text/html; charset=utf-8} as {@code text/html;charset=utf-8}).
 */
final class ServletHeads {
    private ServletHeads() {}

    /**
     * The head of {@code request} as upgrade4j models it.
     *
     * @throws IllegalArgumentException if a value cannot be a field value (RFC 9110 §5.5), the method is
     *     not a token, or the protocol is not HTTP/1.0, HTTP/1.1 or HTTP/2
     */
    static RequestHead request(HttpServletRequest request) {
        Headers.Builder headers = Headers.builder();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                headers.add(HeaderName.of(name), value);
            }
        }
        String query = request.getQueryString();
        String target = query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
        return new RequestHead(request.getMethod(), target, version(request.getProtocol()), headers.build());
    }

    private static HttpVersion version(String protocol) {
        switch (protocol) {
            case "HTTP/1.0":
                return HttpVersion.HTTP_1_0;
            case "HTTP/1.1":
                return HttpVersion.HTTP_1_1;
            case "HTTP/2":
            case "HTTP/2.0":
                return HttpVersion.HTTP_2;
            default:
                throw new IllegalArgumentException("expected HTTP/1.0, HTTP/1.1 or HTTP/2 but the request came over '"
                        + protocol + "'");
        }
    }

    /**
     * Sets {@code head}'s status and fields on {@code response}, which must not be committed. A name the
     * head carries replaces what the response already had under it (such as a request id set before the
     * answer was known). The reason phrase is the container's: Servlet 6 has no way to set another.
     */
    static void write(ResponseHead head, HttpServletResponse response) {
        response.setStatus(head.status());
        Set<HeaderName> seen = new HashSet<>();
        for (HeaderField field : head.headers()) {
            if (seen.add(field.name())) {
                response.setHeader(field.name().toString(), field.value());
            } else {
                response.addHeader(field.name().toString(), field.value());
            }
        }
    }
}
