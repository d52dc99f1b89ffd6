package io.github.upgrade4j.hop;

/**
 * What {@link HopByHopPolicy} does when {@code Connection} nominates a protected field, that is, a
 * field a nomination must never remove ({@code Host}, {@code Authorization}, {@code X-Forwarded-For}
 * and the like).
 */
public enum Protection {
    /** Keep the field, ignore the nomination, and report a {@link Forwarding.NoticeKind#PROTECTED_FIELD_NOMINATED}. */
    KEEP_AND_REPORT,
    /** Refuse the message with {@link Refusal#PROTECTED_FIELD_NOMINATED}: 400 for a request, 502 for a response. */
    REFUSE
}
