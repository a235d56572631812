// The progress line of long trial runs: its text as a pure function of the
// counts, time and width, and that it is drawn only on a terminal.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "model/session/progress.h"

namespace onnxscope::session {
namespace {

TEST(Progress, LineFitsTheWidthAndShrinksTheBarFirst) {
  EXPECT_EQ(progress_line(50, 200, "Conv", 3.25, 80),
            "50/200 nodes [==========>                             ]  Conv  3.2 s");
  EXPECT_EQ(progress_line(200, 200, "Add", 75, 80),
            "200/200 nodes [========================================]  Add  1m15s");
  EXPECT_EQ(progress_line(0, 10, "MatMul", 1.0, 40), "0/10 nodes [>         ]  MatMul  1.0 s");
  // Too narrow for a bar: counts, operator, time; then counts and time.
  EXPECT_EQ(progress_line(3, 10, "MatMul", 1.0, 30), "3/10 nodes  MatMul  1.0 s");
  EXPECT_EQ(progress_line(3, 10, "AVeryLongOperatorName", 1.0, 30), "3/10 nodes  1.0 s");
  EXPECT_EQ(progress_line(3, 10, "X", 1.0, 8), "3/10 no");
  for (size_t w : {2, 10, 30, 50, 80, 200}) EXPECT_LE(progress_line(7, 1000, "Conv", 12, w).size(), w - 1) << w;
  EXPECT_EQ(progress_line(1, 1, "", 0, 1), "");
}

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  return out;
}

TEST(Progress, NothingIsWrittenWhenTheFileIsNotATerminal) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  {
    ProgressBar bar(p[1], 0.0, 80);  // no delay: only the terminal test holds it back
    EXPECT_FALSE(bar.terminal());
    bar.update(1, 10, "Conv");
    bar.update(5, 10, "Relu");
    bar.finish();
    EXPECT_FALSE(bar.drawn());
  }
  close(p[1]);
  EXPECT_EQ(drain(p[0]), "");
  close(p[0]);
}

TEST(Progress, ATerminalSeesTheLineThenItsErasure) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) GTEST_SKIP() << "no pseudo-terminal";
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  {
    ProgressBar bar(slave, 0.0, 60);
    EXPECT_TRUE(bar.terminal());
    bar.update(2, 4, "Conv");
    EXPECT_TRUE(bar.drawn());
    bar.update(3, 4, "Relu");  // within 0.1 s of the last drawing: not drawn
    bar.finish();
  }
  std::string seen = drain(master);
  EXPECT_NE(seen.find("2/4 nodes ["), std::string::npos) << seen;
  EXPECT_NE(seen.find("Conv"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("Relu"), std::string::npos) << seen;
  EXPECT_TRUE(seen.ends_with("\r\x1b[K")) << seen;
  {
    ProgressBar late(slave, 60.0, 60);  // a run shorter than its delay draws nothing
    late.update(1, 2, "Conv");
    EXPECT_FALSE(late.drawn());
  }
  EXPECT_EQ(drain(master), "");
  close(slave);
  close(master);
}

}  // namespace
}  // namespace onnxscope::session
