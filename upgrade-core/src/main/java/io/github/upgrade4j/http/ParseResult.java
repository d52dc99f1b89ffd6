package io.github.upgrade4j.http;

import java.util.Objects;

/**
 * What {@link Http1Parser#parse} made of the bytes it was given so far.
 *
 * <pre>{@code
 * ParseResult<RequestHead> result = parser.parse(buffer);
 * if (result instanceof ParseResult.Complete<RequestHead> complete) {
 *     handle(complete.head(), buffer);          // buffer.position() is the first byte past the head
 * } else if (result instanceof ParseResult.Rejected<RequestHead> rejected) {
 *     answer(rejected.status(), rejected.detail()); // then close the connection
 * }                                              // NeedMore: read more bytes and call parse again
 * }</pre>
 *
 * @param <H> the kind of head parsed
 */
public sealed interface ParseResult<H extends MessageHead> {
    /**
     * The head is not complete yet; every byte given was consumed and kept.
     *
     * @param <H> the kind of head parsed
     */
    record NeedMore<H extends MessageHead>() implements ParseResult<H> {}

    /**
     * A whole head. The input buffer's position was left on the first byte past the head: those
     * bytes belong to the body, the next message or, after a 101, the new protocol.
     *
     * @param head the head
     * @param headLength how many bytes the head took on the wire, over every call, including any
     *     empty lines skipped before the start line and the final empty line
     * @param <H> the kind of head parsed
     */
    record Complete<H extends MessageHead>(H head, int headLength) implements ParseResult<H> {
        /**
         * Checks for null.
         *
         * @param head the head
         * @param headLength how many bytes the head took on the wire, over every call
         */
        public Complete {
            Objects.requireNonNull(head, "head");
        }
    }

    /**
     * The bytes break a rule; the connection cannot be used for another message.
     *
     * @param problem the rule broken
     * @param detail what was expected and what was found, safe to log (control characters escaped)
     * @param status the status to answer: {@link HeadProblem#status()} for a request head, 502 for a
     *     response head received by a proxy
     * @param <H> the kind of head parsed
     */
    record Rejected<H extends MessageHead>(HeadProblem problem, String detail, int status) implements ParseResult<H> {
        /**
         * Checks for nulls.
         *
         * @param problem the rule broken
         * @param detail what was expected and what was found, safe to log
         * @param status the status to answer
         */
        public Rejected {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
