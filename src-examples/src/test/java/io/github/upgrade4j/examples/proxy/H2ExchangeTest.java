package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** How an HTTP/2 request's fields become an HTTP/1.1 request's. */
class H2ExchangeTest {
    @Test
    void cookieCrumbsBecomeOneFieldJoinedBySemicolonsAfterTheOthers() {
        Headers fields = H2Exchange.fields(HttpFields.build().add("cookie", "a=1").add("accept", "*/*")
                .add("cookie", "b=2").add("cookie", "c=3"));

        assertEquals(List.of("a=1; b=2; c=3"), fields.values(HeaderName.COOKIE));
        assertEquals(List.of("*/*"), fields.values(HeaderName.of("Accept")));
        assertEquals(2, fields.size());
    }

    @Test
    void aRequestWithoutCookiesGetsNone() {
        Headers fields = H2Exchange.fields(HttpFields.build().add("user-agent", "test"));

        assertEquals(List.of(), fields.values(HeaderName.COOKIE));
        assertEquals(1, fields.size());
    }
}
