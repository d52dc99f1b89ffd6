package io.github.upgrade4j.examples.servlet;

import io.github.upgrade4j.examples.support.ErrorAnswers;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The {@link ServletProxy}'s answers of its own: a short plain-text error (generic for a 5xx, see
 * {@link ErrorAnswers}) with the request id already set on the response, and one log line with the
 * detail. It does not decide the status: the exchanges do.
 */
final class ServletErrorAnswers {
    private ServletErrorAnswers() {}

    /**
     * Logs {@code line -> status detail} and answers with {@code status}; when the response is already
     * committed, throws instead, and the container aborts the connection.
     *
     * @throws IOException if the response is committed, or writing it fails
     */
    static void fail(HttpServletResponse response, int status, String detail, String line, PrintStream log)
            throws IOException {
        log.println(line + " -> " + status + " " + detail);
        if (response.isCommitted()) {
            throw new IOException(detail); // the container aborts the connection
        }
        String id = Objects.requireNonNullElseGet(response.getHeader(ErrorAnswers.REQUEST_ID.toString()),
                ErrorAnswers::newId);
        byte[] body = ErrorAnswers.body(status, detail, id);
        response.reset();
        ServletHeads.write(ErrorAnswers.head(status, body, id), response);
        response.getOutputStream().write(body);
    }
}
