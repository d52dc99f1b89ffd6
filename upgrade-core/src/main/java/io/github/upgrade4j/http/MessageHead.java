package io.github.upgrade4j.http;

/**
 * The head of an HTTP message: its start line and its fields, without the body.
 *
 * <p>On Java 17 take it apart with {@code if (head instanceof RequestHead request)}; on 21+ with
 * {@code switch (head) { case RequestHead r -> ...; case ResponseHead r -> ...; }}.
 */
public sealed interface MessageHead permits RequestHead, ResponseHead {
    /** {@return the protocol version of the start line} */
    HttpVersion version();

    /** {@return the field lines, in wire order} */
    Headers headers();

    /**
     * {@return a copy of this head with {@code headers} instead of its own} The start line stays.
     *
     * @param headers the field lines of the copy
     */
    MessageHead withHeaders(Headers headers);
}
