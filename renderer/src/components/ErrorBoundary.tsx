import { Component, type ErrorInfo, type ReactNode } from 'react';

/** A screen that throws shows what happened and a way on, instead of a blank page. */
export class ErrorBoundary extends Component<
  { children: ReactNode; title: string; reload: string; resetKey: string },
  { error: Error | null; key: string }
> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { key: string }) {
    // Moving to another screen tries again.
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="card problem" role="alert">
        <h2>{this.props.title}</h2>
        <p className="message">{this.state.error.message}</p>
        <button type="button" onClick={() => location.reload()}>
          {this.props.reload}
        </button>
      </section>
    );
  }
}
