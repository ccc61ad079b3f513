package io.cascade.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server on loopback (UDP) answering A and AAAA queries from records a test sets and changes
 * at will: a name that resolves to a private address, or differently from one query to the next.
 * Names without records answer NXDOMAIN. TTL 0, so no resolver keeps an answer.
 */
public final class TestDns implements AutoCloseable {

  private final DatagramSocket socket;
  private final Map<String, List<InetAddress>> records = new ConcurrentHashMap<>();
  private final Thread thread;

  public TestDns() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    thread = new Thread(this::serve, "test-dns");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@code host:port}, as {@code cascade.outbound.dns-servers} takes it. */
  public String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** {@code name} resolves to {@code addresses} from now on (none: NXDOMAIN). */
  public void set(String name, String... addresses) {
    List<InetAddress> parsed =
        java.util.Arrays.stream(addresses)
            .map(
                a -> {
                  try {
                    return InetAddress.getByName(a);
                  } catch (IOException e) {
                    throw new IllegalArgumentException(a, e);
                  }
                })
            .toList();
    records.put(name.toLowerCase(Locale.ROOT), parsed);
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket query = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(query);
        byte[] answer = answer(java.util.Arrays.copyOf(query.getData(), query.getLength()));
        socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
      } catch (IOException | RuntimeException e) {
        // A closed socket ends the loop; a malformed query is dropped.
      }
    }
  }

  /** The response to one query: the question echoed, and the records of its type. */
  private byte[] answer(byte[] query) {
    int position = 12;
    StringBuilder name = new StringBuilder();
    while (query[position] != 0) {
      int length = query[position] & 0xFF;
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(
          new String(query, position + 1, length, java.nio.charset.StandardCharsets.US_ASCII));
      position += length + 1;
    }
    int questionEnd = position + 5; // the root label, QTYPE, QCLASS
    int type = ((query[position + 1] & 0xFF) << 8) | (query[position + 2] & 0xFF);
    List<InetAddress> found = records.get(name.toString().toLowerCase(Locale.ROOT));
    List<InetAddress> matching =
        found == null
            ? List.of()
            : found.stream().filter(a -> (a instanceof Inet4Address) == (type == 1)).toList();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(query[0]);
    out.write(query[1]);
    out.write(0x81); // a response, recursion desired
    out.write(found == null ? 0x83 : 0x80); // recursion available; NXDOMAIN or no error
    out.writeBytes(new byte[] {0, 1, 0, (byte) matching.size(), 0, 0, 0, 0});
    out.write(query, 12, questionEnd - 12);
    for (InetAddress address : matching) {
      byte[] data = address.getAddress();
      out.writeBytes(new byte[] {(byte) 0xC0, 12, 0, (byte) type, 0, 1, 0, 0, 0, 0, 0});
      out.write(data.length);
      out.writeBytes(data);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    socket.close();
  }
}
