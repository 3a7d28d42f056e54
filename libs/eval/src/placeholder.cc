// Replaced by the evaluator.
namespace takahe::eval {
int placeholder() { return 0; }
}  // namespace takahe::eval
