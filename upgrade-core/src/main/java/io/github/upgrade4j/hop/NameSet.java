package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderName;
import java.util.Collection;
import java.util.LinkedHashSet;

/**
 * A small immutable set of field names with allocation-free lookups by {@link HeaderName} (hash
 * first, then ASCII-case-insensitive comparison), and the name tricks of the policy's hot path.
 */
final class NameSet {
    private final HeaderName[] names;
    private final int[] hashes;

    NameSet(Collection<HeaderName> names) {
        this.names = new LinkedHashSet<>(names).toArray(new HeaderName[0]);
        this.hashes = new int[this.names.length];
        for (int i = 0; i < this.names.length; i++) {
            hashes[i] = this.names[i].hashCode();
        }
    }

    boolean contains(HeaderName name) {
        int hash = name.hashCode();
        for (int i = 0; i < names.length; i++) {
            if (hashes[i] == hash && names[i].equals(name)) {
                return true;
            }
        }
        return false;
    }


    /**
     * One bit per low 6 bits of the (case-insensitive) hash of every name a fixed rule of
     * {@code HopByHopPolicy.causeOf} looks at: a line whose bit is clear skips those comparisons. A filter only;
     * a set bit still compares the names.
     */
    static long hashBits(HeaderName... names) {
        long bits = 0;
        for (HeaderName name : names) {
            bits |= 1L << (name.hashCode() & 63);
        }
        return bits;
    }

    /** {@link #hashBits(HeaderName...)} of this set's names. */
    long hashBits() {
        return hashBits(names);
    }

}
