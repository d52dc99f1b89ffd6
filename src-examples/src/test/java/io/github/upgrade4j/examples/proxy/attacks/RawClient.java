package io.github.upgrade4j.examples.proxy.attacks;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A client that writes raw bytes, exactly as given, and reads what comes back until the server closes.
 * An attack is bytes on a socket; this class sends them unchanged, line ends and all.
 */
public final class RawClient implements AutoCloseable {
    /** How long a read may wait before the test fails: a proxy that hangs fails instead of blocking. */
    public static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    /** Everything received, one char per byte (ISO-8859-1), appended as it comes. */
    private final StringBuilder received = new StringBuilder();
    private boolean reset;
    private boolean ended;

    private RawClient(Socket socket) {
        this.socket = socket;
    }

    public static RawClient connect(InetSocketAddress to) throws IOException {
        return connect(to, 0);
    }

    /** Connects with a receive buffer of {@code receiveBuffer} bytes (0: the system's), set before connecting. */
    public static RawClient connect(InetSocketAddress to, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(to, TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return new RawClient(socket);
    }

    /**
     * Sends {@code request} on a new connection and reads until the server closes it. A server may answer
     * and close before reading all of a long request, so a failed write still reads what came back.
     */
    public static Reply exchange(InetSocketAddress to, String request) throws IOException {
        try (RawClient client = connect(to)) {
            try {
                client.send(request);
            } catch (IOException e) {
                // the server closed early: read its answer all the same
            }
            return client.readToEnd();
        }
    }

    public Socket socket() {
        return socket;
    }

    public RawClient send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until {@code text} has been received (at the end or not); returns everything received so far. */
    public String readUntil(String text) throws IOException {
        int from = 0;
        while (received.indexOf(text, from) < 0) {
            from = Math.max(0, received.length() - text.length());
            if (!readSome()) {
                fail("expected the server to send '" + text.replace("\r\n", "\\r\\n") + "' but it closed after:\n"
                        + text());
            }
        }
        return text();
    }

    /**
     * Reads one response whose body is framed by Content-Length (or absent), for a connection the
     * server keeps open; returns the bytes received so far, which end with it.
     */
    public Reply readResponse() throws IOException {
        int start = text().length();
        int headEnd;
        while ((headEnd = text().indexOf("\r\n\r\n", start)) < 0) {
            if (!readSome()) {
                fail("expected a response head but the server closed after:\n" + text());
            }
        }
        int end = headEnd + 4 + Reply.contentLength(text().substring(start, headEnd));
        while (text().length() < end) {
            if (!readSome()) {
                fail("expected a body of " + (end - headEnd - 4) + " bytes but the server closed after:\n" + text());
            }
        }
        return new Reply(text().substring(start), reset);
    }

    /** Reads exactly {@code n} more bytes. */
    public byte[] readExactly(int n) throws IOException {
        byte[] bytes = socket.getInputStream().readNBytes(n);
        if (bytes.length != n) {
            fail("expected " + n + " bytes but the server closed after " + bytes.length);
        }
        received.append(new String(bytes, StandardCharsets.ISO_8859_1));
        return bytes;
    }

    /** Reads the rest, until EOF or a reset, at most {@link #TIMEOUT_MILLIS} per read. */
    public Reply readToEnd() throws IOException {
        while (readSome()) {
            // keep reading
        }
        return new Reply(text(), reset);
    }

    /** Whether the server has sent nothing more and not closed within {@code millis}. */
    public boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            readSome();
            return false; // bytes or a close came
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        }
    }

    private boolean readSome() throws IOException {
        if (ended) {
            return false;
        }
        byte[] chunk = new byte[16 * 1024];
        InputStream in = socket.getInputStream();
        int n;
        try {
            n = in.read(chunk);
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
                reset = true;
                ended = true;
                return false;
            }
            throw e;
        }
        if (n < 0) {
            ended = true;
            return false;
        }
        received.append(new String(chunk, 0, n, StandardCharsets.ISO_8859_1));
        return true;
    }

    /** Everything received so far, as ISO-8859-1 text. */
    public String text() {
        return received.toString();
    }

    /** Closes with SO_LINGER 0: the server sees a reset. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * What came back on one connection before it closed.
     *
     * @param text the bytes as ISO-8859-1 text
     * @param reset whether the connection ended with a reset rather than a FIN
     */
    public record Reply(String text, boolean reset) {
        /** The status of the first response, or -1 when nothing came back. */
        public int status() {
            return statuses().isEmpty() ? -1 : statuses().get(0);
        }

        /** The status of every response head in the reply, in order (a head is a line after a CRLF CRLF). */
        public List<Integer> statuses() {
            List<Integer> out = new ArrayList<>();
            int at = 0;
            while (at < text.length() && text.startsWith("HTTP/1.", at)) {
                out.add(Integer.parseInt(text.substring(at + 9, at + 12)));
                int end = text.indexOf("\r\n\r\n", at);
                if (end < 0) {
                    break;
                }
                at = end + 4 + contentLength(text.substring(at, end));
            }
            return out;
        }

        /** The first response head, up to and including its empty line. */
        public String head() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? text : text.substring(0, end + 4);
        }

        /** The body of the first response, as its Content-Length says. */
        public String body() {
            return text.substring(head().length(), Math.min(text.length(), head().length() + contentLength(head())));
        }

        /** Asserts the first response has the field line {@code line} (e.g. {@code "Connection: close"}). */
        public Reply assertHeadHas(String line) {
            assertTrue(head().contains("\r\n" + line + "\r\n"), () -> "expected '" + line + "' in\n" + head());
            return this;
        }

        /** Asserts the first response's Connection field has the {@code close} option: the server closes after it. */
        public Reply assertCloses() {
            boolean close = false;
            for (String line : head().split("\r\n")) {
                if (line.regionMatches(true, 0, "Connection:", 0, 11)) {
                    for (String option : line.substring(11).split(",")) {
                        close |= option.strip().equalsIgnoreCase("close");
                    }
                }
            }
            assertTrue(close, () -> "expected Connection: close in\n" + head());
            return this;
        }

        static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    return Integer.parseInt(line.substring(15).strip());
                }
            }
            return 0;
        }
    }
}
