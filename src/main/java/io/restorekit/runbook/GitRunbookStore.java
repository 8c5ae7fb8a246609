package io.restorekit.runbook;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.MergeCommand;
import org.eclipse.jgit.api.MergeResult;
import org.eclipse.jgit.api.RebaseCommand;
import org.eclipse.jgit.api.RebaseResult;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A runbook store in a Git repository (JGit). Local: a working tree at the configured folder,
 * created on first use from the default runbooks with an initial commit. Remote: a clone under
 * {@code RK_HOME/runbooks-clone}; saves and evidence are committed locally first and then pushed,
 * so a push that fails never loses them, and {@link #sync} reconciles later.
 */
public final class GitRunbookStore implements RunbookStore {
    static final String EXTENSION = ".rk";
    private static final String ORIGIN = "origin";

    private final RunbookStoreSettings settings;
    private final Git git;
    private final TransportConfigCallback transport;

    private GitRunbookStore(RunbookStoreSettings settings, Git git, TransportConfigCallback transport) {
        this.settings = settings;
        this.git = git;
        this.transport = transport;
    }

    /** Opens the store, creating it (local) or cloning it (remote) on first use. */
    public static GitRunbookStore open(RunbookStoreSettings settings) {
        TransportConfigCallback transport = transport(settings);
        try {
            if (!settings.isRemote()) {
                Path dir = Path.of(settings.repository());
                Git git = Files.isDirectory(dir.resolve(".git")) ? Git.open(dir.toFile()) : create(dir, settings);
                return new GitRunbookStore(settings, git, transport);
            }
            Path dir = settings.cloneDir();
            Git git;
            if (Files.isDirectory(dir.resolve(".git"))) {
                git = Git.open(dir.toFile());
                String origin = git.getRepository().getConfig().getString("remote", ORIGIN, "url");
                if (!settings.repository().equals(origin)) {
                    git.close();
                    throw new RkException(ErrorCode.BAD_INPUT, "the runbook clone '" + dir + "' is of '" + origin
                            + "', not of the configured '" + settings.redactedLocation() + "'; move it away (it may"
                            + " hold commits not pushed) and run the command again");
                }
            } else {
                git = cloneRemote(settings, dir, transport);
            }
            GitRunbookStore store = new GitRunbookStore(settings, git, transport);
            if (store.head() == null) {
                store.seed();
            }
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the runbook repository '" + settings.redactedLocation() + "'", e);
        }
    }

    private static Git create(Path dir, RunbookStoreSettings settings) throws IOException {
        try {
            Files.createDirectories(dir);
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
            if (empty) {
                copyDefaults(settings.defaults(), dir);
            }
            // A folder that already holds runbooks keeps them as they are: they become the first version.
            git.add().addFilepattern(".").call();
            PersonIdent ident = new PersonIdent("restorekit", "restorekit@localhost");
            git.commit().setMessage(empty ? "Default runbooks" : "Runbooks found in " + dir).setAuthor(ident).setCommitter(ident).setSign(false)
                    .setAllowEmpty(true).call();
            return git;
        } catch (GitAPIException e) {
            throw new IOException("cannot create the runbook repository in '" + dir + "': " + e.getMessage(), e);
        }
    }

    private static Git cloneRemote(RunbookStoreSettings settings, Path dir, TransportConfigCallback transport)
            throws IOException {
        try {
            Files.createDirectories(dir.getParent());
            return Git.cloneRepository().setURI(settings.repository()).setDirectory(dir.toFile())
                    .setTransportConfigCallback(transport).setCredentialsProvider(credentials(settings)).call();
        } catch (GitAPIException | RuntimeException e) {
            deleteTree(dir);
            String why = reason(e);
            throw new RunbookSyncException(ErrorCode.UNREACHABLE, "cannot clone the runbook repository '"
                    + settings.redactedLocation() + "': " + why + (why.contains("HostKey")
                    ? "; the server's host key is not in the known_hosts file" + (settings.knownHosts() == null
                    ? " (~/.ssh/known_hosts)" : " '" + settings.knownHosts() + "'") + ": check the key with the"
                    + " server's administrator and add it (ssh-keyscan)" : "")
                    + "; nothing was kept, run the command again once it can be reached", e);
        }
    }

    /** A remote that has no commits yet gets the default runbooks. */
    private void seed() throws IOException {
        try {
            Path dir = workTree();
            git.getRepository().updateRef(Constants.HEAD).link("refs/heads/main");
            copyDefaults(settings.defaults(), dir);
            git.add().addFilepattern(".").call();
            PersonIdent ident = new PersonIdent("restorekit", "restorekit@localhost");
            git.commit().setMessage("Default runbooks").setAuthor(ident).setCommitter(ident).setSign(false)
                    .setAllowEmpty(true).call();
            push();
        } catch (GitAPIException e) {
            throw new IOException("cannot create the default runbooks in '" + workTree() + "': " + e.getMessage(), e);
        }
    }

    private static void copyDefaults(Path defaults, Path dir) throws IOException {
        if (defaults == null || !Files.isDirectory(defaults)) {
            Files.writeString(dir.resolve("README.md"), "# Runbooks\n\nSave one with"
                    + " `rk runbook save NAME --file FILE -m MESSAGE`.\n", StandardCharsets.UTF_8);
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(defaults)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f) && (n.endsWith(EXTENSION) || n.equals("README.md"))) {
                    Files.copy(f, dir.resolve(n));
                }
            }
        }
    }

    @Override
    public String location() {
        return settings.isRemote() ? settings.redactedLocation() : workTree().toString();
    }

    @Override
    public boolean remote() {
        return settings.isRemote();
    }

    /** The working tree holding the checked-out runbooks. */
    public Path workTree() {
        return git.getRepository().getWorkTree().toPath();
    }

    @Override
    public synchronized List<Entry> list() {
        ObjectId head = head();
        if (head == null) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        try (RevWalk walk = new RevWalk(git.getRepository()); TreeWalk tree = new TreeWalk(git.getRepository())) {
            tree.addTree(walk.parseCommit(head).getTree());
            tree.setRecursive(false);
            Set<String> names = new TreeSet<>();
            while (tree.next()) {
                String path = tree.getPathString();
                if (!tree.isSubtree() && path.endsWith(EXTENSION)) {
                    names.add(path.substring(0, path.length() - EXTENSION.length()));
                }
            }
            for (String name : names) {
                List<Change> last = changes(name, 1);
                entries.add(new Entry(name, last.isEmpty() ? null : last.get(0)));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized Revision read(String name, String rev) {
        ObjectId commitId = resolve(rev);
        try (RevWalk walk = new RevWalk(git.getRepository())) {
            RevCommit commit = walk.parseCommit(commitId);
            try (TreeWalk tree = TreeWalk.forPath(git.getRepository(), name + EXTENSION, commit.getTree())) {
                if (tree == null) {
                    throw new RunbookNotFoundException("no runbook '" + name + "' at "
                            + (rev == null ? "the current revision" : "revision '" + rev + "'") + " ("
                            + commit.getId().abbreviate(10).name() + "); runbooks there: " + names(commit));
                }
                ObjectId blob = tree.getObjectId(0);
                String text = new String(git.getRepository().open(blob).getBytes(), StandardCharsets.UTF_8);
                // Pinned to the version: the last commit at or before the revision that changed the runbook
                // (evidence commits come and go after it).
                RevCommit version = commit;
                for (RevCommit c : git.log().add(commit).addPath(name + EXTENSION).setMaxCount(1).call()) {
                    version = c;
                }
                return new Revision(name, version.getName(), Instant.ofEpochSecond(version.getCommitTime()),
                        blob.getName(), text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new RkException(ErrorCode.FAILED, "cannot read the history of runbook '" + name + "': "
                    + e.getMessage(), e);
        }
    }

    private String names(RevCommit commit) throws IOException {
        List<String> names = new ArrayList<>();
        try (TreeWalk tree = new TreeWalk(git.getRepository())) {
            tree.addTree(commit.getTree());
            while (tree.next()) {
                if (tree.getPathString().endsWith(EXTENSION)) {
                    String p = tree.getPathString();
                    names.add(p.substring(0, p.length() - EXTENSION.length()));
                }
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    @Override
    public synchronized List<Change> log(String name) {
        List<Change> changes = changes(name, 0);
        if (changes.isEmpty()) {
            read(name, null); // names the runbooks that do exist
        }
        return changes;
    }

    private List<Change> changes(String name, int max) {
        if (head() == null) {
            return List.of();
        }
        try {
            var log = git.log().addPath(name + EXTENSION);
            if (max > 0) {
                log.setMaxCount(max);
            }
            List<Change> changes = new ArrayList<>();
            for (RevCommit c : log.call()) {
                changes.add(change(c));
            }
            return changes;
        } catch (GitAPIException e) {
            throw new RkException(ErrorCode.FAILED, "cannot read the history of runbook '" + name + "': "
                    + e.getMessage(), e);
        }
    }

    private static Change change(RevCommit c) {
        return new Change(c.getName(), Instant.ofEpochSecond(c.getCommitTime()), c.getAuthorIdent().getName(),
                c.getShortMessage());
    }

    @Override
    public synchronized String diff(String name, String rev1, String rev2) {
        ObjectId a = resolve(rev1);
        ObjectId b = resolve(rev2);
        read(name, rev1);
        read(name, rev2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter formatter = new DiffFormatter(out)) {
            formatter.setRepository(git.getRepository());
            formatter.setPathFilter(PathFilter.create(name + EXTENSION));
            formatter.format(a, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized SaveResult save(String name, String text, String message, Author author) {
        return commitFile(name + EXTENSION, text, message, author);
    }

    @Override
    public synchronized SaveResult commitEvidence(String path, String text, String message, Author author) {
        if (!path.startsWith("evidence/") || path.contains("..")) {
            throw new IllegalArgumentException("evidence goes under evidence/, not '" + path + "'");
        }
        // Evidence is never replaced: a name already taken (two runs in the same second) gets a suffix.
        String unique = path;
        int dot = path.lastIndexOf('.');
        for (int n = 2; Files.exists(workTree().resolve(unique)); n++) {
            unique = dot < 0 ? path + "-" + n : path.substring(0, dot) + "-" + n + path.substring(dot);
        }
        return commitFile(unique, text, message, author);
    }

    private SaveResult commitFile(String path, String text, String message, Author author) {
        try {
            Path file = workTree().resolve(path);
            ObjectId head = head();
            if (head != null) {
                try (RevWalk walk = new RevWalk(git.getRepository());
                     TreeWalk tree = TreeWalk.forPath(git.getRepository(), path, walk.parseCommit(head).getTree())) {
                    if (tree != null && text.equals(new String(git.getRepository().open(tree.getObjectId(0)).getBytes(),
                            StandardCharsets.UTF_8))) {
                        Files.writeString(file, text, StandardCharsets.UTF_8);
                        return new SaveResult(path, head.getName(), false, false, null);
                    }
                }
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            git.add().addFilepattern(path).call();
            PersonIdent ident = new PersonIdent(author.name(), author.email());
            RevCommit commit = git.commit().setOnly(path).setMessage(message).setAuthor(ident).setCommitter(ident)
                    .setSign(false).call();
            if (!remote()) {
                return new SaveResult(path, commit.getName(), true, false, null);
            }
            String warning = push();
            return new SaveResult(path, commit.getName(), true, warning == null, warning);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write '" + path + "' in the runbook repository", e);
        } catch (GitAPIException e) {
            throw new RkException(ErrorCode.FAILED, "cannot commit '" + path + "' in the runbook repository '"
                    + workTree() + "': " + e.getMessage(), e);
        }
    }

    /** Pushes the current branch; returns why it was not pushed, or null. */
    private String push() {
        String branch = branch();
        try {
            Iterable<PushResult> results = git.push().setRemote(ORIGIN).setTransportConfigCallback(transport)
                    .setCredentialsProvider(credentials(settings))
                    .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch)).call();
            for (PushResult result : results) {
                for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                    RemoteRefUpdate.Status status = update.getStatus();
                    if (status != RemoteRefUpdate.Status.OK && status != RemoteRefUpdate.Status.UP_TO_DATE) {
                        return "committed locally as " + abbreviate(head()) + " but not pushed to '"
                                + settings.redactedLocation() + "' (" + status.name().toLowerCase().replace('_', ' ')
                                + (update.getMessage() == null ? "" : ": " + update.getMessage())
                                + "): the remote has changes this clone lacks; run 'rk runbook sync'";
                    }
                }
            }
            return null;
        } catch (GitAPIException | RuntimeException e) {
            return "committed locally as " + abbreviate(head()) + " but not pushed to '" + settings.redactedLocation()
                    + "': " + reason(e) + "; run 'rk runbook sync' when it can be reached";
        }
    }

    @Override
    public synchronized SyncResult sync(boolean rebase) {
        ObjectId before = head();
        if (!remote()) {
            return new SyncResult(location(), "local", name(before), name(before), null, 0, 0);
        }
        String branch = branch();
        try {
            git.fetch().setRemote(ORIGIN).setTransportConfigCallback(transport)
                    .setCredentialsProvider(credentials(settings)).call();
        } catch (GitAPIException | RuntimeException e) {
            throw new RunbookSyncException(ErrorCode.UNREACHABLE, "sync of the runbooks with '"
                    + settings.redactedLocation() + "' was interrupted: " + reason(e) + "; nothing changed here"
                    + " (local commit " + abbreviate(before) + ", " + ahead(before) + "), run 'rk runbook sync' again",
                    e);
        }
        ObjectId remote = ref("refs/remotes/" + ORIGIN + "/" + branch);
        try (RevWalk walk = new RevWalk(git.getRepository())) {
            if (remote == null) {
                String warning = push();
                if (warning != null) {
                    throw new RunbookSyncException(ErrorCode.FAILED, warning, null);
                }
                return new SyncResult(location(), "pushed", name(before), name(before), name(before), 0,
                        count(walk, before, null));
            }
            if (remote.equals(before)) {
                return new SyncResult(location(), "up to date", name(before), name(before), name(remote), 0, 0);
            }
            RevCommit local = walk.parseCommit(before);
            RevCommit theirs = walk.parseCommit(remote);
            RevCommit base = mergeBase(walk, local, theirs);
            if (base != null && base.equals(local)) {
                requireClean("fast-forward to " + abbreviate(remote));
                MergeResult merge = git.merge().include(remote).setFastForward(MergeCommand.FastForwardMode.FF_ONLY)
                        .setCommit(true).call();
                if (!merge.getMergeStatus().isSuccessful()) {
                    throw new RunbookSyncException(ErrorCode.FAILED, "cannot fast-forward the runbooks to the remote's "
                            + abbreviate(remote) + ": " + merge.getMergeStatus() + "; local commit " + abbreviate(before)
                            + " and local files are unchanged", null);
                }
                return new SyncResult(location(), "fast-forward", name(before), name(head()), name(remote),
                        count(walk, remote, before), 0);
            }
            if (base != null && base.equals(theirs)) {
                String warning = push();
                if (warning != null) {
                    throw new RunbookSyncException(ErrorCode.FAILED, warning, null);
                }
                return new SyncResult(location(), "pushed", name(before), name(before), name(before), 0,
                        count(walk, before, remote));
            }
            RevCommit remoteCommit = theirs;
            String diverged = "the runbooks here (commit " + abbreviate(before) + " \"" + local.getShortMessage()
                    + "\") and on '" + settings.redactedLocation() + "' (commit " + abbreviate(remote) + " \""
                    + remoteCommit.getShortMessage() + "\" by " + remoteCommit.getAuthorIdent().getName()
                    + ") have both changed since " + (base == null ? "they were created" : "commit " + abbreviate(base));
            // Transcripts have names of their own and never conflict: evidence alone is put on top without asking.
            if (!rebase && !onlyEvidence(walk, before, remote)) {
                throw new RunbookSyncException(ErrorCode.FAILED, diverged + "; nothing was changed and your "
                        + count(walk, before, remote) + " local commit(s) are kept. Run 'rk runbook sync --rebase' to"
                        + " put them on top of the remote's (a conflict undoes it), or compare with 'rk runbook diff'",
                        null);
            }
            requireClean("rebase onto " + abbreviate(remote));
            int mine = count(walk, before, remote);
            RebaseResult result = git.rebase().setUpstream(remote).call();
            if (!result.getStatus().isSuccessful()) {
                git.rebase().setOperation(RebaseCommand.Operation.ABORT).call();
                throw new RunbookSyncException(ErrorCode.FAILED, diverged + "; putting the local commits on top"
                        + " conflicts" + (result.getConflicts() == null ? "" : " in " + result.getConflicts())
                        + ", so it was undone: local commit " + abbreviate(head()) + " is unchanged. Merge the"
                        + " change by hand ('rk runbook diff NAME " + abbreviate(before) + " " + abbreviate(remote)
                        + "'), then save it", null);
            }
            String warning = push();
            if (warning != null) {
                throw new RunbookSyncException(ErrorCode.FAILED, warning, null);
            }
            return new SyncResult(location(), "rebased and pushed", name(before), name(head()), name(remote),
                    count(walk, remote, before), mine);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new RunbookSyncException(ErrorCode.FAILED, "sync of the runbooks failed: " + e.getMessage()
                    + "; local commit " + abbreviate(head()) + " is kept", e);
        }
    }

    /** Whether every commit reachable from {@code local} and not from {@code remote} only adds or changes evidence. */
    private boolean onlyEvidence(RevWalk walk, ObjectId local, ObjectId remote) throws IOException {
        List<RevCommit> mine = new ArrayList<>();
        walk.reset();
        walk.setRevFilter(RevFilter.ALL);
        walk.markStart(walk.parseCommit(local));
        walk.markUninteresting(walk.parseCommit(remote));
        for (RevCommit c; (c = walk.next()) != null; ) {
            mine.add(c);
        }
        walk.reset();
        try (DiffFormatter diff = new DiffFormatter(OutputStream.nullOutputStream())) {
            diff.setRepository(git.getRepository());
            for (RevCommit c : mine) {
                if (c.getParentCount() != 1) {
                    return false;
                }
                RevCommit parent = walk.parseCommit(c.getParent(0));
                for (DiffEntry e : diff.scan(parent.getTree(), c.getTree())) {
                    if (!e.getNewPath().startsWith("evidence/") || !e.getOldPath().startsWith("evidence/")
                            && !e.getOldPath().equals(DiffEntry.DEV_NULL)) {
                        return false;
                    }
                }
            }
        }
        return !mine.isEmpty();
    }

    private void requireClean(String what) throws GitAPIException {
        Status status = git.status().call();
        Set<String> dirty = new TreeSet<>();
        dirty.addAll(status.getModified());
        dirty.addAll(status.getChanged());
        dirty.addAll(status.getAdded());
        dirty.addAll(status.getRemoved());
        dirty.addAll(status.getMissing());
        dirty.addAll(status.getConflicting());
        status.getUntracked().stream().filter(p -> p.endsWith(EXTENSION)).forEach(dirty::add);
        if (!dirty.isEmpty()) {
            throw new RunbookSyncException(ErrorCode.FAILED, "cannot " + what + ": files in '" + workTree()
                    + "' were edited but not saved (" + String.join(", ", dirty) + "); save them with 'rk runbook save'"
                    + " or move them away, then sync again. Nothing was changed", null);
        }
    }

    private static RevCommit mergeBase(RevWalk walk, RevCommit a, RevCommit b) throws IOException {
        walk.reset();
        walk.setRevFilter(RevFilter.MERGE_BASE);
        walk.markStart(a);
        walk.markStart(b);
        RevCommit base = walk.next();
        walk.reset();
        walk.setRevFilter(RevFilter.ALL);
        return base;
    }

    /** Commits reachable from {@code from} and not from {@code not}. */
    private static int count(RevWalk walk, ObjectId from, ObjectId not) throws IOException {
        if (from == null) {
            return 0;
        }
        walk.reset();
        walk.setRevFilter(RevFilter.ALL);
        walk.markStart(walk.parseCommit(from));
        if (not != null) {
            walk.markUninteresting(walk.parseCommit(not));
        }
        int n = 0;
        while (walk.next() != null) {
            n++;
        }
        walk.reset();
        return n;
    }

    private String ahead(ObjectId local) {
        ObjectId remote = ref("refs/remotes/" + ORIGIN + "/" + branch());
        try (RevWalk walk = new RevWalk(git.getRepository())) {
            int n = count(walk, local, remote);
            return n == 0 ? "nothing unpushed" : n + " commit(s) not pushed yet";
        } catch (IOException e) {
            return "commits not pushed unknown";
        }
    }

    private ObjectId resolve(String rev) {
        String spec = rev == null || rev.isBlank() ? Constants.HEAD : rev;
        try {
            ObjectId id = git.getRepository().resolve(spec + "^{commit}");
            if (id == null) {
                throw new RunbookNotFoundException("no revision '" + spec + "' in the runbook repository '"
                        + location() + "'; see the revisions with 'rk runbook log NAME'");
            }
            return id;
        } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.AmbiguousObjectException e) {
            throw new RunbookNotFoundException("revision '" + spec + "' is not valid or not unique in the runbook"
                    + " repository; give more characters of the commit id");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectId head() {
        return ref(Constants.HEAD);
    }

    private ObjectId ref(String name) {
        try {
            return git.getRepository().resolve(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String branch() {
        try {
            String branch = git.getRepository().getBranch();
            return branch == null ? "main" : branch;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(ObjectId id) {
        return id == null ? null : id.getName();
    }

    private static String abbreviate(ObjectId id) {
        return id == null ? "(none)" : id.abbreviate(10).name();
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t instanceof TransportException
                || t.getMessage() == null)) {
            if (t.getCause().getMessage() == null) {
                break;
            }
            t = t.getCause();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return t == e || t.getMessage() == null || m.contains(t.getMessage()) ? m : m + ": " + t.getMessage();
    }

    private static TransportConfigCallback transport(RunbookStoreSettings settings) {
        KeySshSessionFactory ssh = new KeySshSessionFactory(settings.identityFile(), settings.knownHosts());
        return t -> {
            if (t instanceof SshTransport s) {
                s.setSshSessionFactory(ssh);
            }
        };
    }

    private static UsernamePasswordCredentialsProvider credentials(RunbookStoreSettings settings) {
        return settings.httpPassword() == null ? null : new UsernamePasswordCredentialsProvider(
                settings.httpUser() == null ? "token" : settings.httpUser(), settings.httpPassword());
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a half clone left behind is replaced by the next attempt
        }
    }

    /** For tests: refs of the local repository. */
    List<Ref> refs() throws IOException {
        return git.getRepository().getRefDatabase().getRefs();
    }

    /** For tests: the JGit repository. */
    Repository repository() {
        return git.getRepository();
    }

    @Override
    public void close() {
        git.close();
    }
}
