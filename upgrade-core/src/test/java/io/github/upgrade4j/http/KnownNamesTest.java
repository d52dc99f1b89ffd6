package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Every {@link HeaderName} constant is found from its exact bytes, wherever they sit in an array, and
 * nothing else is: a constant listed once must still reach the parser's table.
 */
class KnownNamesTest {
    @Test
    void findsEveryPublicConstantFromItsBytesAtAnyOffset() throws IllegalAccessException {
        List<HeaderName> constants = publicConstants();
        assertEquals(50, constants.size(), "a constant was added or removed: update this count");
        for (HeaderName constant : constants) {
            byte[] spelling = constant.toString().getBytes(StandardCharsets.ISO_8859_1);
            for (int offset = 0; offset < 9; offset++) {
                byte[] line = new byte[offset + spelling.length + 1];
                System.arraycopy(spelling, 0, line, offset, spelling.length);
                line[line.length - 1] = ':';
                assertSame(constant, HeaderName.knownExact(line, offset, spelling.length), constant + " at " + offset);
            }
            assertSame(constant, HeaderName.of(constant.toString()));
        }
    }

    @Test
    void findsNoNameThatDiffersInCaseInOneByteOrInLength() throws IllegalAccessException {
        for (HeaderName constant : publicConstants()) {
            String spelling = constant.toString();
            for (int i = 0; i < spelling.length(); i++) {
                char c = spelling.charAt(i);
                char other = Character.isLetter(c) ? (char) (c ^ 0x20) : c == '-' ? '_' : '!';
                String changed = spelling.substring(0, i) + other + spelling.substring(i + 1);
                assertNull(find(changed), changed);
                assertNotSame(constant, HeaderName.of(changed), changed);
            }
            String lower = spelling.toLowerCase(Locale.ROOT); // every constant has an upper-case letter
            assertNull(find(lower), lower);
            assertEquals(constant, HeaderName.of(lower));
            assertNotSame(constant, HeaderName.of(lower));
            assertNull(find(spelling + "s"), spelling + "s");
            assertNull(find(spelling.substring(1)), spelling.substring(1));
        }
    }

    private static HeaderName find(String spelling) {
        byte[] bytes = spelling.getBytes(StandardCharsets.ISO_8859_1);
        return HeaderName.knownExact(bytes, 0, bytes.length);
    }

    private static List<HeaderName> publicConstants() throws IllegalAccessException {
        List<HeaderName> constants = new ArrayList<>();
        for (Field field : HeaderName.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == HeaderName.class) {
                constants.add((HeaderName) field.get(null));
            }
        }
        return constants;
    }
}
