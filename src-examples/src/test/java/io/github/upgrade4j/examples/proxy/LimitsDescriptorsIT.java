package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.upgrade4j.examples.echo.EchoServer;
import io.github.upgrade4j.examples.proxy.attacks.ExampleProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Descriptor exhaustion does not stop the proxy for good: the proxy runs as users run it, in a process
 * limited to 200 open files; 240 clients take every descriptor it has, so {@code accept} fails with
 * EMFILE; once they leave, a new client is served. nginx pauses accepting for 500 ms in the same case;
 * this proxy pauses 100 ms, doubling to 500 ms while the failures go on, and logs once per pause.
 */
class LimitsDescriptorsIT {
    @Test
    void afterEveryDescriptorWasTakenAndReleasedTheProxyAcceptsAndServesANewClient() throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        List<Socket> hogs = new ArrayList<>();
        try (EchoServer origin = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), quiet);
                ExampleProxy proxy = ExampleProxy.startWithDescriptorLimit(200, origin.address())) {
            try {
                for (int i = 0; i < 240; i++) {
                    Socket hog = new Socket();
                    hog.connect(proxy.address(), 10_000); // completes in the kernel's backlog even when not accepted
                    hogs.add(hog);
                }
                proxy.awaitLine("accept failed: Too many open files; accepting again in ");
            } finally {
                for (Socket hog : hogs) {
                    hog.close();
                }
            }
            try (Socket client = new Socket()) {
                client.connect(proxy.address(), 10_000);
                client.setSoTimeout(30_000); // far above the longest pause: a failure, not a wait
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer;
                try {
                    answer = readToEnd(client.getInputStream());
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("no answer within 30 s; the proxy printed:\n" + proxy.output(), e);
                }
                assertTrue(answer.startsWith("HTTP/1.1 200 "), answer + "\nproxy output:\n" + proxy.output());
            }
            long pauses = proxy.output().lines().filter(line -> line.contains("accept failed")).count();
            // One line per pause of at least 100 ms, not one per failed accept: a loop that spun on EMFILE
            // would print thousands.
            assertTrue(pauses < 200, pauses + " accept failures logged:\n" + proxy.output());
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
