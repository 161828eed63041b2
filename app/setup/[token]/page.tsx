import { SetupForm } from '../../../client/components/SetupForm';
import { Shell } from '../../../client/components/Shell';

export default async function SetupPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <Shell>
      <SetupForm token={token} />
    </Shell>
  );
}
