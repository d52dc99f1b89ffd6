"""Sends one HTTP/2 request as given, however malformed, and prints what came back as one JSON object.

A real HTTP/2 implementation (hyper-h2, Debian's python3-h2) with its checks of outgoing headers switched
off, so that a test can send what browsers never do: connection-specific fields, an extended CONNECT
without :path, :protocol to a server that did not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL.

Usage: h2_request.py HOST PORT HEADERS_JSON [--early] [--data TEXT] [--end]
  HEADERS_JSON  a JSON list of [name, value] pairs, pseudo-headers first, sent as they are
  --early       send the request right after the connection preface, before reading the server's SETTINGS
  --data TEXT   for a CONNECT: once a 200 came, send TEXT as DATA and read until the stream ends or is reset
                (without it, a CONNECT answered 200 has its response head as its result)
  --end         with --data: end the stream (END_STREAM) with the DATA, a half-close

Prints {"settings": {...the server's SETTINGS...}, "status": N or null, "headers": [...], "body": "...",
"reset": ERROR_CODE_NAME or null, "goaway": ERROR_CODE_NAME or null}.
"""
import json
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings


def main():
    host, port, headers = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    options = sys.argv[4:]
    early = "--early" in options
    payload = options[options.index("--data") + 1].encode() if "--data" in options else None
    end_after_data = "--end" in options
    connect = any(n == ":method" and v == "CONNECT" for n, v in headers)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    raw = socket.create_connection((host, port), timeout=10)
    sock = context.wrap_socket(raw, server_hostname=host)
    if sock.selected_alpn_protocol() != "h2":
        print(json.dumps({"error": "ALPN chose " + str(sock.selected_alpn_protocol())}))
        return
    config = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False,
                                       normalize_outbound_headers=False, validate_inbound_headers=False)
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    result = {"settings": {}, "status": None, "headers": [], "body": "", "ended": False, "reset": None, "goaway": None}
    stream_id = None
    if early:
        stream_id = send(conn, sock, headers)
    body = b""
    done = False
    while not done:
        received = sock.recv(65536)
        if not received:
            break
        for event in conn.receive_data(received):
            if isinstance(event, h2.events.RemoteSettingsChanged):
                for code, setting in event.changed_settings.items():
                    result["settings"][name(code)] = setting.new_value
                if stream_id is None:
                    # hyper-h2 refuses :protocol unless the server allowed it; pretend it did, to send it anyway
                    conn.remote_settings._settings[h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL] = [1]
                    stream_id = send(conn, sock, headers)
            elif isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                result["headers"] = [[n.decode(), v.decode()] for n, v in event.headers]
                result["status"] = int(dict(event.headers)[b":status"])
                if connect and payload is None and result["status"] == 200:
                    done = True  # a tunnel's answer: nothing more to wait for
                elif connect and result["status"] == 200:
                    conn.send_data(stream_id, payload, end_stream=end_after_data)
            elif isinstance(event, h2.events.DataReceived) and event.stream_id == stream_id:
                body += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                result["ended"] = True
                done = True
            elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                result["reset"] = error(event.error_code)
                done = True
            elif isinstance(event, h2.events.ConnectionTerminated):
                result["goaway"] = error(event.error_code)
                done = True
        sock.sendall(conn.data_to_send())
    result["body"] = body.decode("utf-8", "replace")
    print(json.dumps(result))
    sock.close()


def send(conn, sock, headers):
    stream_id = conn.get_next_available_stream_id()
    end = not any(n == ":method" and v == "CONNECT" for n, v in headers)
    conn.send_headers(stream_id, [(n, v) for n, v in headers], end_stream=end)
    sock.sendall(conn.data_to_send())
    return stream_id


def name(code):
    try:
        return h2.settings.SettingCodes(code).name
    except ValueError:
        return str(code)


def error(code):
    return getattr(code, "name", str(code))


main()
