package io.github.upgrade4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.hop.Refusal;
import io.github.upgrade4j.tunnel.CloseReason;
import io.github.upgrade4j.tunnel.RefusalReason;
import io.github.upgrade4j.upgrade.UpgradeReason;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every constant of every reason enum speaks the one {@link Reason} vocabulary (issue 16). To cover
 * another reason type, add its class to {@link #REASON_TYPES}.
 */
class ReasonVocabularyTest {
    private static final List<Class<? extends Reason>> REASON_TYPES = List.of(
            HeadProblem.class,
            FramingProblem.class,
            FieldList.Problem.class,
            Refusal.class,
            UpgradeReason.Ignored.class,
            UpgradeReason.Refused.class,
            UpgradeReason.Invalid.class,
            RefusalReason.class,
            CloseReason.class);

    static Stream<Named<Reason>> reasons() {
        return REASON_TYPES.stream().flatMap(type -> {
            Reason[] constants = type.getEnumConstants();
            assertTrue(constants != null && constants.length > 0, "expected an enum with constants but was " + type);
            return Arrays.stream(constants).map(reason -> Named.of(type.getSimpleName() + "." + reason.name(), reason));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void explainsInOneLineOfFullSentences(Reason reason) {
        String explanation = reason.explanation();
        assertFalse(explanation.isBlank(), "expected an explanation but it was blank");
        assertEquals(explanation.strip(), explanation, "expected no leading or trailing whitespace");
        assertFalse(explanation.contains("\n"), "expected one line but was \"" + explanation + "\"");
        assertTrue(explanation.endsWith("."), "expected a full stop at the end but was \"" + explanation + "\"");
        assertTrue(Character.isUpperCase(explanation.charAt(0)),
                "expected a capital letter first but was \"" + explanation + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void citesAnRfcSectionOrNothing(Reason reason) {
        String spec = reason.spec();
        if (spec.isEmpty()) {
            return;
        }
        for (String part : spec.split("; ", -1)) {
            assertTrue(part.startsWith("RFC ") && part.length() > 4,
                    "expected \"\" or \"RFC n §x\" parts joined by \"; \" but was \"" + spec + "\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void answersAnErrorStatusWhereItHasOne(Reason reason) {
        Optional<Integer> status = status(reason);
        status.ifPresent(code -> assertTrue(code >= 400 && code <= 599,
                "expected a 4xx or 5xx status but was " + code));
    }

    /** The value of a public {@code int status()}, if the reason type has one. */
    private static Optional<Integer> status(Reason reason) {
        Method method;
        try {
            method = ((Enum<?>) reason).getDeclaringClass().getMethod("status");
        } catch (NoSuchMethodException absent) {
            return Optional.empty();
        }
        assertEquals(int.class, method.getReturnType(), "expected status() to return an int");
        try {
            return Optional.of((Integer) method.invoke(reason));
        } catch (IllegalAccessException | InvocationTargetException e) {
            return fail("expected status() to answer but it threw " + e, e);
        }
    }
}
