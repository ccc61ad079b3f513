package io.cascade.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP server on loopback for the email provider's tests, with replies chosen by the recipient's
 * local part: {@code reject…} gets {@code 550} (permanent), {@code busy…} gets {@code 451}
 * (transient), anyone else is accepted and the message kept. It speaks plain ESMTP over TCP, so the
 * mailer under test runs its whole real dialogue. Points the service at itself and switches the
 * email channel to the SMTP provider.
 */
public class SmtpPeer implements QuarkusTestResourceLifecycleManager {

  /** A message the peer accepted: its envelope recipients and its raw content. */
  public record Received(List<String> recipients, String data) {}

  /** Every message accepted since the start. */
  public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();

  /** Every {@code RCPT TO} address offered, accepted or not, in order. */
  public static final List<String> RECIPIENTS_OFFERED = new CopyOnWriteArrayList<>();

  private ServerSocket server;

  @Override
  public Map<String, String> start() {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "smtp-peer");
    acceptor.setDaemon(true);
    acceptor.start();
    return Map.of(
        "cascade.channel.email.providers", "smtp",
        "cascade.provider.smtp.type", "smtp",
        "quarkus.mailer.host", "127.0.0.1",
        "quarkus.mailer.port", String.valueOf(server.getLocalPort()),
        "quarkus.mailer.start-tls", "DISABLED");
  }

  @Override
  public void stop() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread session = new Thread(() -> converse(socket), "smtp-peer-session");
        session.setDaemon(true);
        session.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void converse(Socket socket) {
    try (socket;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        Writer out =
            new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII)) {
      reply(out, "220 smtp-peer ESMTP");
      List<String> recipients = new CopyOnWriteArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String command = line.toUpperCase(Locale.ROOT);
        if (command.startsWith("EHLO") || command.startsWith("HELO")) {
          reply(out, "250-smtp-peer\r\n250 8BITMIME");
        } else if (command.startsWith("MAIL FROM")) {
          recipients.clear();
          reply(out, "250 2.1.0 ok");
        } else if (command.startsWith("RCPT TO")) {
          String address = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
          RECIPIENTS_OFFERED.add(address);
          if (address.startsWith("reject")) {
            reply(out, "550 5.1.1 <" + address + ">: no such user");
          } else if (address.startsWith("busy")) {
            reply(out, "451 4.3.0 mailbox busy, try again later");
          } else {
            recipients.add(address);
            reply(out, "250 2.1.5 ok");
          }
        } else if (command.equals("DATA")) {
          reply(out, "354 end with <CRLF>.<CRLF>");
          StringBuilder data = new StringBuilder();
          for (String body = in.readLine();
              body != null && !body.equals(".");
              body = in.readLine()) {
            data.append(body).append('\n');
          }
          RECEIVED.add(new Received(List.copyOf(recipients), data.toString()));
          reply(out, "250 2.0.0 queued");
        } else if (command.equals("QUIT")) {
          reply(out, "221 2.0.0 bye");
          return;
        } else if (command.equals("RSET") || command.equals("NOOP")) {
          reply(out, "250 2.0.0 ok");
        } else {
          reply(out, "502 5.5.2 not implemented");
        }
      }
    } catch (IOException e) {
      // the client hung up
    }
  }

  private static void reply(Writer out, String text) throws IOException {
    out.write(text + "\r\n");
    out.flush();
  }
}
