package io.github.upgrade4j.http;

import java.util.List;
import java.util.Objects;

/**
 * How the body of a message is delimited, decided from its head by the rules of RFC 9112 §6.3.
 *
 * <pre>{@code
 * BodyFraming framing = BodyFraming.ofRequest(head);
 * if (framing instanceof BodyFraming.FixedLength fixed) {
 *     copy(fixed.length());
 * } else if (framing instanceof BodyFraming.Chunked) {
 *     copyChunks();
 * } else if (framing instanceof BodyFraming.Invalid invalid) {
 *     answer(invalid.status(), invalid.detail()); // and close: the next message cannot be found
 * }
 * }</pre>
 *
 * <p>Strict: {@code Content-Length} together with {@code Transfer-Encoding}, differing or malformed
 * {@code Content-Length} values, {@code Transfer-Encoding} in HTTP/1.0, {@code chunked} applied
 * twice, and a request whose codings do not end in {@code chunked} are all {@link Invalid}, in
 * either direction. Identical repeated lengths ({@code Content-Length: 42, 42}) are accepted as RFC
 * 9110 §8.6 allows. This type does not check codings other than {@code chunked}; answering 501 to
 * an unknown coding is the caller's choice.
 *
 * <p>A {@code CONNECT} request has no content (RFC 9110 §9.3.6): without framing fields it is
 * {@link None}, and the bytes behind its head are the tunnel's once a 2xx answer opens it. With
 * {@code Transfer-Encoding}, or a {@code Content-Length} other than 0, it is {@link Invalid}
 * ({@link FramingProblem#CONNECT_WITH_CONTENT}, 400) rather than framed either way: a recipient
 * that honours the field reads the first tunnel bytes as a body, one that follows §9.3.6 (llhttp,
 * for one) passes them to the tunnel, and a proxy and its peer that disagree on where a message
 * ends is the shape of request smuggling. {@code Content-Length: 0} promises no bytes, so every
 * reading agrees: it is accepted as {@code None}. A 2xx answer to a {@code CONNECT} is a
 * {@link Tunnel} whatever framing fields it has, which §9.3.6 tells a client to ignore. Methods are
 * case-sensitive (RFC 9110 §9.1): {@code connect} is not {@code CONNECT}, here or in
 * {@link #ofResponse}.
 */
public sealed interface BodyFraming {
    /**
     * No body: the next bytes are the next message or, after a {@code CONNECT} that a 2xx answer
     * accepts, the tunnel's.
     */
    record None() implements BodyFraming {}

    /**
     * A body of exactly {@code length} bytes.
     *
     * @param length the number of bytes, zero or more
     */
    record FixedLength(long length) implements BodyFraming {
        /**
         * Checks the length.
         *
         * @param length the number of bytes, zero or more
         * @throws IllegalArgumentException if {@code length} is negative
         */
        public FixedLength {
            if (length < 0) {
                throw new IllegalArgumentException("expected a length >= 0 but was " + length);
            }
        }
    }

    /** A chunked body (RFC 9112 §7.1), possibly followed by trailer fields. */
    record Chunked() implements BodyFraming {}

    /** A response body that ends when the server closes the connection. */
    record UntilClose() implements BodyFraming {}

    /**
     * No body, and the connection stops carrying HTTP/1.1 right after the head: a 101 response or a
     * 2xx response to CONNECT. The bytes behind the head belong to the new protocol or tunnel.
     */
    record Tunnel() implements BodyFraming {}

    /**
     * The body cannot be delimited safely.
     *
     * @param problem the rule broken
     * @param detail what was expected and what was found, safe to log
     * @param status 400 for a request, 502 for a response received by a proxy
     */
    record Invalid(FramingProblem problem, String detail, int status) implements BodyFraming {
        /**
         * Checks for nulls.
         *
         * @param problem the rule broken
         * @param detail what was expected and what was found, safe to log
         * @param status 400 for a request, 502 for a response received by a proxy
         */
        public Invalid {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The framing of a request's body (RFC 9112 §6.3, items 3 to 6); for {@code CONNECT}, no body or
     * {@link FramingProblem#CONNECT_WITH_CONTENT} (RFC 9110 §9.3.6).
     *
     * @param request the request head
     * @return how the request's body ends, or {@link Invalid} with status 400
     */
    static BodyFraming ofRequest(RequestHead request) {
        if (request.method().equals("CONNECT")) {
            return FramingRules.connect(request.headers());
        }
        return FramingRules.decide(request.version(), request.headers(), true);
    }

    /**
     * The framing of a response's body (RFC 9112 §6.3, items 1 to 7).
     *
     * @param response the response head
     * @param requestMethod the method of the request it answers; {@code HEAD} and {@code CONNECT}
     *     change the answer
     * @return how the response's body ends, or {@link Invalid} with status 502
     */
    static BodyFraming ofResponse(ResponseHead response, String requestMethod) {
        Objects.requireNonNull(requestMethod, "requestMethod");
        int status = response.status();
        if (status == 101 || status / 100 == 2 && requestMethod.equals("CONNECT")) {
            return FramingRules.TUNNEL;
        }
        if (status < 200 || status == 204 || status == 304 || requestMethod.equals("HEAD")) {
            return FramingRules.NONE;
        }
        return FramingRules.decide(response.version(), response.headers(), false);
    }
}
