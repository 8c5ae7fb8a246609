package io.restorekit.daemon;

import io.restorekit.catalog.RunStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The daemon")
class DaemonTest {
    @TempDir
    Path home;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    static ScheduledJob job(String name, List<String> ran, Runnable body) {
        return new ScheduledJob() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public JobOutcome run() {
                body.run();
                ran.add(name);
                return JobOutcome.succeeded("done");
            }
        };
    }

    /** Fires every {@code ms} milliseconds of the epoch. */
    static Trigger every(long ms) {
        return after -> Instant.ofEpochMilli((after.toEpochMilli() / ms + 1) * ms);
    }

    @Test
    @DisplayName("runs jobs due together one at a time in the configured order, and remembers when they ran")
    void order() {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger concurrent = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        Runnable body = () -> {
            if (concurrent.incrementAndGet() > 1) {
                overlapped.set(true);
            }
            concurrent.decrementAndGet();
        };
        DaemonState state = new DaemonState(home);
        Daemon d = new Daemon(List.of(new Daemon.Entry(job("backup", ran, body), "*/1 * * * * *", every(300)),
                new Daemon.Entry(job("drill", ran, body), "*/1 * * * * *", every(300))), state,
                Clock.systemUTC(), log::add, AlertHook.NONE, null);
        assertThat(d.run(4)).isEqualTo(4);
        assertThat(ran).containsExactly("backup", "drill", "backup", "drill");
        assertThat(overlapped).isFalse();
        assertThat(new DaemonState(home).lastRun("drill")).isNotNull();
        assertThat(log).anyMatch(l -> l.startsWith("backup: SUCCEEDED in "));
    }

    @Test
    @DisplayName("runs at start a job whose run was missed while it was down, and not one that is up to date")
    void missedRun() {
        DaemonState state = new DaemonState(home);
        Instant now = Instant.now();
        state.ran("backup", now.minus(Duration.ofDays(2)));
        state.ran("verify", now);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        Trigger daily = after -> after.plus(Duration.ofDays(1));
        Daemon d = new Daemon(List.of(new Daemon.Entry(job("backup", ran, () -> { }), "0 0 3 * * *", daily),
                new Daemon.Entry(job("verify", ran, () -> { }), "0 0 3 * * *", daily)), state, Clock.systemUTC(),
                log::add, AlertHook.NONE, null);
        assertThat(d.run(1)).isEqualTo(1);
        assertThat(ran).containsExactly("backup");
        assertThat(log).anyMatch(l -> l.startsWith("backup: missed its run at"));
    }

    @Test
    @DisplayName("on stop lets the running job finish, starts no other, and calls the alert hook after each job")
    void stopFinishesRunningJob() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger alerts = new AtomicInteger();
        Daemon d = new Daemon(List.of(new Daemon.Entry(job("backup", ran, () -> {
            started.countDown();
            sleep(800);
            finished.set(true);
        }), "*/1 * * * * *", every(100))), new DaemonState(home), Clock.systemUTC(), log::add,
                now -> alerts.incrementAndGet(), null);
        Thread t = new Thread(() -> d.run(0));
        t.start();
        started.await();
        d.stop(Duration.ofSeconds(30));
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(finished).isTrue();
        assertThat(ran).containsExactly("backup");
        assertThat(alerts.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("interrupts a job that does not finish within the grace period")
    void stopInterrupts() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Daemon d = new Daemon(List.of(new Daemon.Entry(new ScheduledJob() {
            @Override
            public String name() {
                return "drill";
            }

            @Override
            public JobOutcome run() {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    return new JobOutcome(RunStatus.FAILED, "interrupted; cleaned up");
                }
                return JobOutcome.succeeded("done");
            }
        }, "*/1 * * * * *", every(100))), new DaemonState(home), Clock.systemUTC(), log::add, AlertHook.NONE, null);
        Thread t = new Thread(() -> d.run(0));
        t.start();
        started.await();
        d.stop(Duration.ofMillis(200));
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(interrupted).isTrue();
        assertThat(log).anyMatch(l -> l.startsWith("drill: FAILED") && l.endsWith("interrupted; cleaned up"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Nested
    @DisplayName("schedule print rewrites Spring cron")
    class Cron {
        @Test
        @DisplayName("for crontab, with a weekday guard for the first Sunday of the month")
        void crontab() {
            assertThat(CronText.crontab("0 0 3 * * *")).isEqualTo(new CronText.Crontab("0 3 * * *", null));
            assertThat(CronText.crontab("0 0 3 * * WED")).isEqualTo(new CronText.Crontab("0 3 * * WED", null));
            assertThat(CronText.crontab("0 0 2 * * SUN#1"))
                    .isEqualTo(new CronText.Crontab("0 2 1-7 * *", "[ \"$(date +\\%u)\" = 7 ]"));
            assertThat(CronText.crontab("0 */15 * * * *").schedule()).isEqualTo("*/15 * * * *");
            assertThatThrownBy(() -> CronText.crontab("*/5 * * * * *")).hasMessageContaining("second");
            assertThatThrownBy(() -> CronText.crontab("0 0 3 L * *")).hasMessageContaining("L or W");
        }

        @Test
        @DisplayName("for systemd OnCalendar")
        void systemd() {
            assertThat(CronText.onCalendar("0 0 3 * * *")).isEqualTo("*-*-* 03:00:00");
            assertThat(CronText.onCalendar("0 0 2 * * SUN#1")).isEqualTo("Sun *-*-01..07 02:00:00");
            assertThat(CronText.onCalendar("0 0 4 * * MON-FRI")).isEqualTo("Mon..Fri *-*-* 04:00:00");
            assertThat(CronText.onCalendar("0 */10 * * * *")).isEqualTo("*-*-* *:0/10:00");
        }
    }
}
