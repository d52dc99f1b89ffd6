package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderName;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Finds field names that imitate a protected name by spelling a {@code -} as {@code _}, as a server
 * that reads {@code _} as {@code -} (CGI, RFC 3875 §4.1.18) would see them: names compare ignoring
 * ASCII case with {@code _} and {@code -} as one character.
 *
 * <p>Invariant: a name without {@code _} costs one {@link String#indexOf(int)} and is never an
 * alias, so the common head pays nothing more; nothing here allocates.
 */
final class UnderscoreAliases {
    private final HeaderName[] targets;
    private final String prefix;
    private final String family;

    /**
     * @param targets the protected names, matched whole
     * @param prefix a protected family such as {@code X-Forwarded-}, matched as a prefix followed by at
     *     least one character
     */
    UnderscoreAliases(Collection<HeaderName> targets, String prefix) {
        this.targets = targets.toArray(new HeaderName[0]);
        this.prefix = prefix;
        this.family = prefix + "*";
    }

    /**
     * What {@code name} imitates: a target's spelling, or the prefix followed by {@code *}; null when
     * it has no {@code _}, imitates nothing, or is itself a target (a name protected with a {@code _}
     * is the real one).
     */
    @Nullable String imitated(HeaderName name) {
        String s = name.toString();
        if (s.indexOf('_') < 0) {
            return null;
        }
        @Nullable String imitated = null;
        for (HeaderName target : targets) {
            String t = target.toString();
            if (t.length() == s.length() && sameAsRead(s, t, s.length())) {
                if (target.is(s)) {
                    return null;
                }
                imitated = t;
            }
        }
        if (imitated == null && s.length() > prefix.length() && sameAsRead(s, prefix, prefix.length())) {
            imitated = family;
        }
        return imitated;
    }

    /** Whether the first {@code len} chars of {@code a} and {@code b} match ignoring ASCII case, {@code _} as {@code -}. */
    private static boolean sameAsRead(String a, String b, int len) {
        for (int i = 0; i < len; i++) {
            if (fold(a.charAt(i)) != fold(b.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int fold(char c) {
        return c == '_' ? '-' : c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
