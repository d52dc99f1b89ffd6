package io.github.upgrade4j.http;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The field lines of one message head, immutable, in wire order with duplicates kept.
 *
 * <p>A proxy re-serialises what it forwards, so this is a sequence of lines, never a map: the same
 * name may appear on several lines, and each line keeps its position and its name's spelling.
 * Lookups compare names ignoring ASCII case and scan linearly, which is the fastest choice for the
 * few dozen fields of a head. List-valued fields are read across every line with {@link FieldList#parse}
 * over {@link #values} and with {@link #hasToken}, never from the first line alone.
 *
 * <p>Instances are built by {@link #of(String...)}, {@link #builder()} or the parser; every way in
 * copies, so a caller's array or list can change afterwards without changing the headers.
 * {@link #toString()} hides the values of credential fields so that logging a head is safe.
 */
public final class Headers implements Iterable<HeaderField> {
    private static final Headers EMPTY = new Headers(new HeaderName[0], new String[0], 0);

    private final HeaderName[] names;
    private final String[] values;
    private final int size;

    /** Takes ownership of the arrays; the caller must have validated every entry and drop the arrays. */
    Headers(HeaderName[] names, String[] values, int size) {
        this.names = names;
        this.values = values;
        this.size = size;
    }

    /**
     * Returns headers from alternating names and values: {@code of("Host", "a.example", "Upgrade",
     * "websocket")}.
     *
     * @param namesAndValues names and values in turn, in wire order; the array is copied
     * @return headers holding one line per name-value pair
     * @throws IllegalArgumentException if the count is odd, a name is not a token or a value is invalid
     */
    public static Headers of(String... namesAndValues) {
        Objects.requireNonNull(namesAndValues, "namesAndValues");
        String[] copy = namesAndValues.clone(); // read once from our copy: the caller may change theirs
        if (copy.length % 2 != 0) {
            throw new IllegalArgumentException("expected alternating names and values but got "
                    + copy.length + " strings");
        }
        Builder builder = new Builder(copy.length / 2);
        for (int i = 0; i < copy.length; i += 2) {
            HeaderName name = HeaderName.of(Objects.requireNonNull(copy[i], "name"));
            builder.add(name, Objects.requireNonNull(copy[i + 1], "value"));
        }
        return builder.build();
    }

    /**
     * Returns headers holding {@code fields} in order.
     *
     * @param fields the lines, valid already; the list is copied
     * @return headers holding those lines
     */
    public static Headers of(List<HeaderField> fields) {
        Builder builder = new Builder(fields.size());
        for (HeaderField field : List.copyOf(fields)) {
            builder.append(field.name(), field.value()); // a HeaderField is valid already
        }
        return builder.build();
    }

    /** {@return a builder for new headers, with no line yet} */
    public static Builder builder() {
        return new Builder(16);
    }

    /** {@return a builder that starts with these headers' lines} These headers do not change. */
    public Builder toBuilder() {
        Builder builder = new Builder(size + 4);
        System.arraycopy(names, 0, builder.names, 0, size);
        System.arraycopy(values, 0, builder.values, 0, size);
        builder.size = size;
        return builder;
    }

    /** {@return the number of field lines} A name on several lines counts once per line. */
    public int size() {
        return size;
    }

    /**
     * {@return the name of line {@code index}, spelled as received}
     *
     * @param index the line's position, from 0 to {@code size() - 1}
     * @throws IndexOutOfBoundsException if there is no such line
     */
    public HeaderName name(int index) {
        return names[Objects.checkIndex(index, size)];
    }

    /**
     * {@return the value of line {@code index}}
     *
     * @param index the line's position, from 0 to {@code size() - 1}
     * @throws IndexOutOfBoundsException if there is no such line
     */
    public String value(int index) {
        return values[Objects.checkIndex(index, size)];
    }

    /**
     * {@return line {@code index} as a field}
     *
     * @param index the line's position, from 0 to {@code size() - 1}
     * @throws IndexOutOfBoundsException if there is no such line
     */
    public HeaderField field(int index) {
        Objects.checkIndex(index, size);
        return new HeaderField(names[index], values[index]);
    }

    /** {@return every line, in order, as an unmodifiable list} The list is a view: it copies nothing. */
    public List<HeaderField> fields() {
        return new FieldView();
    }

    @Override
    public Iterator<HeaderField> iterator() {
        return fields().iterator();
    }

    /**
     * {@return whether some line has the name {@code name}}
     *
     * @param name the name, compared ignoring ASCII case
     */
    public boolean contains(HeaderName name) {
        return indexOf(name, 0) >= 0;
    }

    /**
     * {@return the value of the first line named {@code name}, or empty when there is none} Do not use
     * this for list-valued fields: their elements may continue on later lines.
     *
     * @param name the name, compared ignoring ASCII case
     */
    public Optional<String> first(HeaderName name) {
        int i = indexOf(name, 0);
        return i < 0 ? Optional.empty() : Optional.of(values[i]);
    }

    /**
     * {@return the values of every line named {@code name}, in order; empty when there is none} This is
     * what {@link FieldList#parse(List, FieldList.Element, int)} takes for a list-valued field.
     *
     * @param name the name, compared ignoring ASCII case
     */
    public List<String> values(HeaderName name) {
        int first = indexOf(name, 0);
        if (first < 0) {
            return List.of();
        }
        int second = indexOf(name, first + 1);
        if (second < 0) {
            return List.of(values[first]); // the common case: one line
        }
        List<String> out = new ArrayList<>(4);
        out.add(values[first]);
        for (int i = second; i < size; i++) {
            if (names[i].equals(name)) {
                out.add(values[i]);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether some line named {@code name} has the list element {@code token}, ignoring ASCII case.
     * Allocation-free. Every line is searched, and a malformed element elsewhere in the list does not
     * hide a well-formed one; use {@link FieldList#parse} to learn whether the whole list is well-formed.
     *
     * @param name the field's name, compared ignoring ASCII case
     * @param token the element to look for, compared ignoring ASCII case
     * @return whether an element of one of those lines is {@code token}
     */
    public boolean hasToken(HeaderName name, String token) {
        Objects.requireNonNull(token, "token");
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name) && ListScanner.containsToken(values[i], token)) {
                return true;
            }
        }
        return false;
    }

    private int indexOf(HeaderName name, int from) {
        Objects.requireNonNull(name, "name");
        for (int i = from; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Equal when both have the same lines in the same order; names compare ignoring ASCII case. */
    @Override
    public boolean equals(@Nullable Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Headers other) || other.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!names[i].equals(other.names[i]) || !values[i].equals(other.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size; i++) {
            h = 31 * (31 * h + names[i].hashCode()) + values[i].hashCode();
        }
        return h;
    }

    /**
     * One {@code Name: value} line per field. Values of {@code Authorization},
     * {@code Proxy-Authorization}, {@code Cookie} and {@code Set-Cookie} are shown as {@code ██}.
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < size; i++) {
            HeaderName name = names[i];
            boolean secret = name.equals(HeaderName.AUTHORIZATION) || name.equals(HeaderName.PROXY_AUTHORIZATION)
                    || name.equals(HeaderName.COOKIE) || name.equals(HeaderName.SET_COOKIE);
            out.append(name).append(": ").append(secret ? "██" : values[i]).append('\n');
        }
        return out.toString();
    }

    private final class FieldView extends AbstractList<HeaderField> implements RandomAccess {
        @Override
        public HeaderField get(int index) {
            return field(index);
        }

        @Override
        public int size() {
            return size;
        }
    }

    /**
     * Collects field lines for new {@link Headers}. Not thread-safe. Each method validates its input
     * and throws {@link IllegalArgumentException} for a name that is not a token or an invalid value.
     */
    public static final class Builder {
        private HeaderName[] names;
        private String[] values;
        private int size;
        /** Whether a built {@link Headers} holds {@link #names} and {@link #values}. */
        private boolean shared;

        Builder(int capacity) {
            names = new HeaderName[Math.max(capacity, 4)];
            values = new String[names.length];
        }

        /**
         * Appends the line {@code name: value}.
         *
         * @param name the field name
         * @param value the field value, without surrounding whitespace
         * @return this builder
         */
        public Builder add(HeaderName name, String value) {
            HeaderField.check(name, value); // the field's own checks, without making one
            append(name, value);
            return this;
        }

        /**
         * Appends line {@code index} of {@code source} as it is: a line of {@link Headers} is valid, so it
         * is not checked again, which keeps copying a received head cheap.
         *
         * @param source the headers to copy from
         * @param index the position of the line in {@code source}
         * @return this builder
         * @throws IndexOutOfBoundsException if {@code source} has no such line
         */
        public Builder addFrom(Headers source, int index) {
            Objects.checkIndex(index, source.size);
            append(source.names[index], source.values[index]);
            return this;
        }

        /**
         * Makes {@code name: value} the only line with that name: the first existing line is replaced
         * in place and the others removed; when there is none, the line is appended.
         *
         * @param name the field name, compared ignoring ASCII case
         * @param value the field value, without surrounding whitespace
         * @return this builder
         */
        public Builder set(HeaderName name, String value) {
            HeaderField.check(name, value);
            unshare();
            int first = -1;
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    if (first >= 0) {
                        continue;
                    }
                    first = kept;
                    names[kept] = name;
                    values[kept++] = value;
                } else {
                    names[kept] = names[i];
                    values[kept++] = values[i];
                }
            }
            clearFrom(kept);
            if (first < 0) {
                append(name, value);
            }
            return this;
        }

        /**
         * Removes every line named {@code name}; the other lines keep their order.
         *
         * @param name the field name, compared ignoring ASCII case
         * @return this builder
         */
        public Builder removeAll(HeaderName name) {
            Objects.requireNonNull(name, "name");
            unshare();
            int kept = 0;
            for (int i = 0; i < size; i++) {
                if (!names[i].equals(name)) {
                    names[kept] = names[i];
                    values[kept++] = values[i];
                }
            }
            clearFrom(kept);
            return this;
        }

        /**
         * The headers collected so far; the builder stays usable. The headers take the builder's arrays
         * as they are, without a copy; the builder copies them before its next change (copy on write).
         *
         * @return the lines collected, in order
         */
        public Headers build() {
            if (size == 0) {
                return EMPTY;
            }
            shared = true;
            return new Headers(names, values, size);
        }

        /** Takes private copies of the arrays once a built {@link Headers} holds them. */
        private void unshare() {
            if (shared) {
                names = names.clone();
                values = values.clone();
                shared = false;
            }
        }

        private void append(HeaderName name, String value) {
            if (size == names.length) { // a copy either way, so a shared array is left alone
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
                shared = false;
            } else {
                unshare();
            }
            names[size] = name;
            values[size++] = value;
        }

        private void clearFrom(int newSize) {
            Arrays.fill(names, newSize, size, null);
            Arrays.fill(values, newSize, size, null);
            size = newSize;
        }
    }
}
