package io.github.upgrade4j.benchmarks;

/** Raw heads shared by the benchmarks, as real clients and servers send them. */
final class SampleHeads {
    /** What Chrome 131 sends to open a WebSocket: 13 lines, about 520 bytes. */
    static final String CHROME_UPGRADE = """
            GET /chat?room=7 HTTP/1.1\r
            Host: app.example:8080\r
            Connection: Upgrade\r
            Pragma: no-cache\r
            Cache-Control: no-cache\r
            User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r
            Upgrade: websocket\r
            Origin: https://app.example\r
            Sec-WebSocket-Version: 13\r
            Accept-Encoding: gzip, deflate, br, zstd\r
            Accept-Language: en-GB,en;q=0.9\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r
            \r
            """;

    /** A browser page load: a GET with 15 fields, several in lower case. */
    static final String GET_15_FIELDS = """
            GET /static/app.js?v=3 HTTP/1.1\r
            Host: www.example.com\r
            Connection: keep-alive\r
            sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"\r
            sec-ch-ua-mobile: ?0\r
            User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r
            sec-ch-ua-platform: "Linux"\r
            Accept: */*\r
            Sec-Fetch-Site: same-origin\r
            Sec-Fetch-Mode: no-cors\r
            Sec-Fetch-Dest: script\r
            Referer: https://www.example.com/\r
            Accept-Encoding: gzip, deflate, br, zstd\r
            Accept-Language: en-GB,en;q=0.9\r
            Cookie: session=3f2a9c0d1e; theme=dark\r
            If-None-Match: "5f3a-1b2c"\r
            \r
            """;

    /** A server's answer to {@link #CHROME_UPGRADE}. */
    static final String RESPONSE_101 = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r
            Date: Wed, 25 Nov 2026 20:00:00 GMT\r
            Server: upstream/1.0\r
            \r
            """;

    private SampleHeads() {}

    /** The head named by a benchmark parameter. */
    static String named(String name) {
        switch (name) {
            case "chrome-upgrade":
                return CHROME_UPGRADE;
            case "get-15-fields":
                return GET_15_FIELDS;
            case "response-101":
                return RESPONSE_101;
            default:
                throw new IllegalArgumentException("expected chrome-upgrade, get-15-fields or response-101 but was " + name);
        }
    }
}
