package io.github.upgrade4j.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start-up: a bind failure names the address; an upstream that cannot be reached is a warning, not a stop. */
class LifecycleTest {
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);

    /** A loopback port with nothing listening: bound by this test, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void anUpstreamWithNothingListeningIsAWarningThatSaysWhyAndWhatFollows() throws Exception {
        InetSocketAddress upstream = new InetSocketAddress("127.0.0.1", closedPort());

        Optional<String> warning = Lifecycle.checkUpstream(upstream, log).get(10, TimeUnit.SECONDS);

        String expected = "warning: upstream 127.0.0.1:" + upstream.getPort() + " cannot be reached (Connection refused);"
                + " requests get 502 until it can";
        assertEquals(Optional.of(expected), warning);
        assertEquals(expected + "\n", logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUpstreamThatAcceptsIsNotMentioned() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Optional<String> warning = Lifecycle.checkUpstream((InetSocketAddress) upstream.getLocalSocketAddress(), log)
                    .get(10, TimeUnit.SECONDS);

            assertEquals(Optional.empty(), warning);
            assertEquals("", logged.toString(StandardCharsets.UTF_8));
            try (Socket accepted = upstream.accept()) {
                assertEquals(-1, accepted.getInputStream().read(), "the check sends nothing and closes");
            }
        }
    }

    @Test
    void anUpstreamWhoseNameDoesNotResolveIsAWarningToo() throws Exception {
        InetSocketAddress upstream = InetSocketAddress.createUnresolved("upstream.invalid", 80);

        assertEquals(Optional.of("warning: upstream upstream.invalid:80 cannot be reached (the host name does not"
                + " resolve); requests get 502 until it can"), Lifecycle.checkUpstream(upstream, log).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aBindFailureSaysWhichAddress() throws IOException {
        try (ServerSocketChannel taken = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress address = (InetSocketAddress) taken.getLocalAddress();

            IOException e = assertThrows(IOException.class, () -> Lifecycle.listen(address,
                    () -> ServerSocketChannel.open().bind(address)));

            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + address.getPort() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void aBindFailureDeepInTheCausesIsFoundAndOtherFailuresPassAsTheyAre() {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 8080);
        IOException wrapped = new IOException("could not start Jetty", new IOException("Failed to bind",
                new java.net.BindException("Address already in use")));
        assertEquals("cannot listen on 127.0.0.1:8080: Address already in use", assertThrows(IOException.class,
                () -> Lifecycle.listen(address, () -> {
                    throw wrapped;
                })).getMessage());
        IOException other = new IOException("keystore password was incorrect");
        assertSame(other, assertThrows(IOException.class, () -> Lifecycle.listen(address, () -> {
            throw other;
        })));
        assertEquals("cannot listen on nowhere.invalid:80: the host name does not resolve", assertThrows(IOException.class,
                () -> Lifecycle.listen(InetSocketAddress.createUnresolved("nowhere.invalid", 80), () -> "never")).getMessage());
    }

    @Test
    void anIpv6AddressIsWrittenInBrackets() {
        assertEquals("[0:0:0:0:0:0:0:1]:8080", Lifecycle.hostPort(new InetSocketAddress("::1", 8080)));
        assertEquals("localhost:80", Lifecycle.hostPort(InetSocketAddress.createUnresolved("localhost", 80)));
    }
}
