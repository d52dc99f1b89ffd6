package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.HeaderName;
import java.util.Collection;
import java.util.LinkedHashSet;

/**
 * A small immutable set of field names with allocation-free lookups by {@link HeaderName} (hash
 * first, then ASCII-case-insensitive comparison).
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
}
