package io.cascade.channel.smpp;

import io.cascade.channel.ChannelProvider;
import io.cascade.channel.Outbound;
import io.cascade.channel.ProviderException;
import io.cascade.channel.ProvidersConfig.SmppSettings;
import io.cascade.channel.Receipt;
import io.cascade.channel.ReceiptSink;
import io.cascade.channel.SendOutcome;
import io.cascade.channel.SmsParts;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.jsmpp.session.connection.Connection;
import org.jsmpp.session.connection.socket.SocketConnection;

/**
 * SMS through one SMSC over SMPP 3.4 (jSMPP), bound as a transceiver: submits go out and delivery
 * receipts come back on the same session.
 *
 * <ul>
 *   <li><b>Binding.</b> One background thread keeps the session bound: it binds, waits until the
 *       session is lost (jSMPP closes it when an {@code enquire_link} goes unanswered), and binds
 *       again with exponential backoff and jitter. A hot or warm provider binds at start-up, a cold
 *       one on its first send. While unbound the provider reports itself down, so the pool tries
 *       the channel's other providers first.
 *   <li><b>Window.</b> jSMPP's submit is blocking, so {@code window} threads each keep one {@code
 *       submit_sm} outstanding; further sends queue for a thread. A send still queued when its
 *       timeout passes is dropped unsent, so a step the guard gave up on never goes out late.
 *   <li><b>Throttling.</b> {@code ESME_RTHROTTLED} and {@code ESME_RMSGQFUL} mean slow down: the
 *       part is sent again after a growing pause, within the timeout. An optional per-session
 *       throughput limit paces submits so that the SMSC rarely has to say so.
 *   <li><b>Sessions.</b> Every bind gets a random id of its own, given with the message ids it
 *       issued and with the receipts that come on it, so that a receipt is matched first among the
 *       ids its own bind issued (some SMSCs number ids per bind).
 *   <li><b>Receipts.</b> Every {@code deliver_sm} receipt is stored (see {@link ReceiptSink})
 *       before its {@code deliver_sm_resp} goes back; if storing fails the SMSC gets a temporary
 *       error and delivers the receipt again. Receipts are taken off the socket by {@code
 *       receipt-workers} threads with a queue of {@code receipt-queue} PDUs, sized so that a burst
 *       waits rather than being refused.
 * </ul>
 */
final class SmppProvider implements ChannelProvider {

  private static final Logger LOG = Logger.getLogger(SmppProvider.class);
  private static final Duration RECEIPT_STORE_LIMIT = Duration.ofSeconds(10);
  private static final byte UDH_INDICATOR = 0x40;

  private final String name;
  private final SmppSettings settings;
  private final long timeoutMillis;
  private final ReceiptSink receipts;
  private final ExecutorService submitters;
  private final ExecutorService binder;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicInteger concatenationReference = new AtomicInteger();
  private final Object boundSignal = new Object();
  private final long pacingNanos;
  private long nextSubmitNanos;
  private volatile boolean closing;
  private volatile Bind bind;
  private volatile String lastBindError = "not bound yet";

  SmppProvider(String name, SmppSettings settings, Duration timeout, ReceiptSink receipts) {
    this.name = name;
    this.settings = settings;
    this.timeoutMillis = timeout.toMillis();
    this.receipts = receipts;
    this.submitters = Executors.newFixedThreadPool(settings.window(), daemon(name + "-submit"));
    this.binder = Executors.newSingleThreadExecutor(daemon(name + "-bind"));
    this.pacingNanos = settings.throughput() > 0 ? 1_000_000_000L / settings.throughput() : 0;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void connect() {
    if (started.compareAndSet(false, true)) {
      binder.execute(this::keepBound);
    }
  }

  @Override
  public boolean isDown() {
    return started.get() && !isBound();
  }

  @Override
  public void close() {
    closing = true;
    binder.shutdownNow();
    Bind current = bind;
    if (current != null) {
      current.session().unbindAndClose();
    }
    submitters.shutdownNow();
  }

  @Override
  public Uni<SendOutcome> send(Outbound message) {
    connect(); // a cold provider binds on its first send
    long deadline = System.currentTimeMillis() + timeoutMillis;
    return Uni.createFrom()
        .completionStage(
            () -> CompletableFuture.supplyAsync(() -> submit(message, deadline), submitters));
  }

  private boolean isBound() {
    Bind current = bind;
    return current != null && current.session().getSessionState().isBound();
  }

  private SendOutcome submit(Outbound message, long deadline) {
    if (System.currentTimeMillis() >= deadline) {
      throw new ProviderException(name + ": window full until the timeout; not sent");
    }
    Bind current = awaitBound(deadline);
    SmsParts.Encoding encoding = SmsParts.encodingOf(message.text());
    List<SmsParts.Part> parts =
        SmsParts.split(message.text(), concatenationReference.getAndIncrement() & 0xFF);
    String destination = message.to().startsWith("+") ? message.to().substring(1) : message.to();
    List<String> ids = new ArrayList<>(parts.size());
    for (SmsParts.Part part : parts) {
      try {
        ids.add(submitPart(current.session(), destination, part, encoding, deadline));
      } catch (RecipientRefused refused) {
        return new SendOutcome.Rejected(refused.getMessage());
      }
    }
    return new SendOutcome.Sent(ids, current.id());
  }

  private String submitPart(
      SMPPSession current,
      String destination,
      SmsParts.Part part,
      SmsParts.Encoding encoding,
      long deadline)
      throws RecipientRefused {
    for (int tries = 0; ; tries++) {
      awaitPacing();
      try {
        return current
            .submitShortMessage(
                "",
                sourceTon(),
                NumberingPlanIndicator.UNKNOWN,
                settings.sourceAddress(),
                TypeOfNumber.INTERNATIONAL,
                NumberingPlanIndicator.ISDN,
                destination,
                new ESMClass(part.hasUdh() ? UDH_INDICATOR : 0),
                (byte) 0,
                (byte) 1,
                null,
                null,
                new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE),
                (byte) 0,
                DataCodings.newInstance(encoding.dataCoding()),
                (byte) 0,
                part.payload())
            .getMessageId();
      } catch (NegativeResponseException negative) {
        int status = negative.getCommandStatus();
        if (status == SMPPConstant.STAT_ESME_RTHROTTLED
            || status == SMPPConstant.STAT_ESME_RMSGQFUL) {
          pauseForThrottling(status, tries, deadline);
          continue;
        }
        if (status == SMPPConstant.STAT_ESME_RINVDSTADR
            || status == SMPPConstant.STAT_ESME_RINVDSTTON
            || status == SMPPConstant.STAT_ESME_RINVDSTNPI) {
          throw new RecipientRefused(
              String.format("smpp: submit_sm refused the destination (status 0x%08X)", status));
        }
        throw new ProviderException(
            String.format("%s: submit_sm refused with status 0x%08X", name, status));
      } catch (ResponseTimeoutException e) {
        throw new ProviderException(name + ": no submit_sm_resp in time");
      } catch (PDUException | InvalidResponseException | IOException e) {
        throw new ProviderException(name + ": submit_sm failed: " + e.getMessage());
      }
    }
  }

  /** The SMSC asked to slow down: wait longer each time, but never past the attempt's timeout. */
  private void pauseForThrottling(int status, int tries, long deadline) {
    long pause = Math.min(100L << Math.min(tries, 5), 2_000);
    if (System.currentTimeMillis() + pause >= deadline) {
      throw new ProviderException(
          String.format(
              "%s: SMSC kept throttling (status 0x%08X) until the timeout", name, status));
    }
    LOG.debugf("%s: throttled (0x%08X), resending in %d ms", name, status, pause);
    sleep(pause);
  }

  /** Spaces submits by 1/throughput seconds when a throughput limit is set. */
  private void awaitPacing() {
    if (pacingNanos == 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long slot = Math.max(now, nextSubmitNanos);
      nextSubmitNanos = slot + pacingNanos;
      wait = slot - now;
    }
    if (wait > 0) {
      sleep(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
    }
  }

  private Bind awaitBound(long deadline) {
    synchronized (boundSignal) {
      while (!isBound()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0 || closing) {
          throw new ProviderException(name + ": not bound to the SMSC (" + lastBindError + ")");
        }
        try {
          boundSignal.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ProviderException(name + ": interrupted while waiting for the bind");
        }
      }
      return bind;
    }
  }

  /** Binds, waits for the session to be lost, binds again; until the provider closes. */
  private void keepBound() {
    long delay = settings.rebindDelay().toMillis();
    while (!closing) {
      String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      SMPPSession candidate = newSession(id);
      try {
        candidate.connectAndBind(
            settings.host(),
            settings.port(),
            new BindParameter(
                BindType.BIND_TRX,
                settings.systemId(),
                settings.password().orElse(""),
                settings.systemType().orElse(""),
                TypeOfNumber.UNKNOWN,
                NumberingPlanIndicator.UNKNOWN,
                null),
            timeoutMillis);
        CountDownLatch lost = new CountDownLatch(1);
        candidate.addSessionStateListener(
            (newState, oldState, source) -> {
              if (!newState.isBound()) {
                lost.countDown();
              }
            });
        if (!candidate.getSessionState().isBound()) {
          lost.countDown();
        }
        bind = new Bind(candidate, id);
        synchronized (boundSignal) {
          boundSignal.notifyAll();
        }
        LOG.infof("%s: bound to %s:%d (session %s)", name, settings.host(), settings.port(), id);
        delay = settings.rebindDelay().toMillis();
        lost.await();
        if (closing) {
          return;
        }
        lastBindError = "session lost";
        LOG.warnf(
            "%s: SMPP session to %s:%d lost; rebinding", name, settings.host(), settings.port());
      } catch (IOException e) {
        lastBindError = e.getMessage();
        LOG.warnf(
            "%s: bind to %s:%d failed (%s); next try in about %d ms",
            name, settings.host(), settings.port(), e.getMessage(), delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        Bind current = bind;
        if (current == null
            || current.session() != candidate
            || !candidate.getSessionState().isBound()) {
          candidate.close();
        }
      }
      // Jitter keeps several replicas from rebinding in lockstep after an SMSC restart.
      sleep(Math.round(delay * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
      delay = Math.min(delay * 2, settings.rebindMaxDelay().toMillis());
    }
  }

  private SMPPSession newSession(String id) {
    SMPPSession candidate = new SMPPSession(SmppProvider::connectWithoutDelay);
    candidate.setEnquireLinkTimer((int) settings.enquireLink().toMillis());
    candidate.setTransactionTimer(timeoutMillis);
    candidate.setPduProcessorDegree(settings.receiptWorkers());
    candidate.setQueueCapacity(settings.receiptQueue());
    candidate.setMessageReceiverListener(new ReceiptListener(id));
    return candidate;
  }

  /**
   * A TCP connection with Nagle's algorithm off: every PDU is small and awaited, so coalescing them
   * only adds delay (with it on, one submit at a time took about 5 ms on loopback).
   */
  private static Connection connectWithoutDelay(String host, int port) throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port));
    return new SocketConnection(socket);
  }

  private TypeOfNumber sourceTon() {
    return settings.sourceAddress().matches("\\+?[0-9]+")
        ? TypeOfNumber.INTERNATIONAL
        : TypeOfNumber.ALPHANUMERIC;
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(name + ": interrupted");
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** A bound session and the id Cascade gave it. */
  private record Bind(SMPPSession session, String id) {}

  /** The SMSC refused the destination for good. */
  private static final class RecipientRefused extends Exception {
    RecipientRefused(String message) {
      super(message, null, false, false);
    }
  }

  /** Stores each delivery receipt before the SMSC gets its {@code deliver_sm_resp}. */
  private final class ReceiptListener implements MessageReceiverListener {

    private final String sessionId;

    ReceiptListener(String sessionId) {
      this.sessionId = sessionId;
    }

    @Override
    public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
      if (!deliverSm.isSmscDeliveryReceipt()) {
        LOG.debugf(
            "%s: mobile-originated message from %s ignored", name, deliverSm.getSourceAddr());
        return;
      }
      Optional<Receipt> receipt = SmppReceipts.parse(name, sessionId, deliverSm);
      if (receipt.isEmpty()) {
        // Nothing to store or retry: acknowledged so that the SMSC does not resend it forever.
        LOG.warnf("%s: unreadable delivery receipt acknowledged and dropped", name);
        return;
      }
      try {
        receipts.accept(receipt.get()).await().atMost(RECEIPT_STORE_LIMIT);
      } catch (RuntimeException e) {
        LOG.warnf(
            "%s: receipt for %s not stored (%s); asking the SMSC to deliver it again",
            name, receipt.get().providerMessageId(), e.getMessage());
        throw new ProcessRequestException("receipt not stored", SMPPConstant.STAT_ESME_RX_T_APPN);
      }
    }

    @Override
    public void onAcceptAlertNotification(AlertNotification alertNotification) {
      // Not used: Cascade does not ask for alerts.
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source)
        throws ProcessRequestException {
      throw new ProcessRequestException("data_sm not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }
}
