import { Dashboard } from '../client/components/Dashboard';

export default function Page() {
  return <Dashboard />;
}
